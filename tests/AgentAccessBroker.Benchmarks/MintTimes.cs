using System.Diagnostics.Metrics;
using AgentAccessBroker.Brokering;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// The provider's mint time inside each grant the broker makes, as the broker reports it through its
/// <see cref="BrokerMetrics.MintDuration"/> metric (a <see cref="MeterListener"/> on the host's own meter factory), so
/// a grant's latency can be set against the mint it contained rather than against mints measured at another moment.
/// </summary>
internal sealed class MintTimes : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<double> _milliseconds = [];

    public MintTimes(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == BrokerMetrics.MintDuration)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (_milliseconds)
            {
                _milliseconds.Add(value);
            }
        });
        _listener.Start();
    }

    public int Count
    {
        get
        {
            lock (_milliseconds)
            {
                return _milliseconds.Count;
            }
        }
    }

    /// <summary>Mint times recorded since the count was <paramref name="start"/>, in milliseconds.</summary>
    public IReadOnlyList<double> Since(int start)
    {
        lock (_milliseconds)
        {
            return _milliseconds.Skip(start).ToList();
        }
    }

    public void Dispose() => _listener.Dispose();
}
