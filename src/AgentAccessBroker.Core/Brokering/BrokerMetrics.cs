using System.Diagnostics.Metrics;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// The broker's own measurements for operators (OpenTelemetry, <c>dotnet-counters monitor --counters AgentAccessBroker</c>).
/// Tags carry the provider's name and the outcome only: never a resource, a principal or anything secret.
/// </summary>
public sealed class BrokerMetrics
{
    public const string MeterName = "AgentAccessBroker";

    /// <summary>How long the credential provider took to mint one credential, in milliseconds.</summary>
    public const string MintDuration = "aab.credential.mint.duration";

    private readonly Histogram<double> _mintDuration;

    public BrokerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _mintDuration = meter.CreateHistogram<double>(MintDuration, "ms", "How long the credential provider took to mint one credential, its local preparation included.");
    }

    public void RecordMint(string provider, TimeSpan elapsed, bool minted) =>
        _mintDuration.Record(elapsed.TotalMilliseconds, new("aab.provider", provider), new("aab.outcome", minted ? "minted" : "failed"));
}
