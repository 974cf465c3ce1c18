using System.Globalization;
using AgentAccessBroker.Actions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>
/// Everything a task's live credentials can reach right now, grouped by sensitivity, with one headline figure
/// ("1 critical, 2 high resources writable for 12 more minutes").
/// </summary>
public sealed record BlastRadius(IReadOnlyList<BlastRadius.Group> Groups, string Headline)
{
    /// <summary>One resource reachable through one or more live leases.</summary>
    /// <param name="Writable">Some action on it does more than read (write, destructive, privilege change, wildcard).</param>
    /// <param name="Until">When the last live lease reaching it ends.</param>
    public sealed record Entry(string Target, string Resource, IReadOnlyList<string> Actions, bool Writable, DateTimeOffset Until);

    public sealed record Group(Sensitivity Sensitivity, IReadOnlyList<Entry> Entries);

    /// <summary>Computes the blast radius of <paramref name="leases"/> at <paramref name="now"/>; leases no longer live are ignored.</summary>
    public static BlastRadius Of(IEnumerable<Lease> leases, BrokerPolicy policy, ActionVocabularies vocabularies, DateTimeOffset now)
    {
        var reach = new Dictionary<(string Target, string Resource), (Sensitivity Sensitivity, SortedSet<string> Actions, DateTimeOffset Until, bool Writable)>();
        foreach (var lease in leases.Where(l => l.IsLive && l.ExpiresAt > now))
        {
            var target = policy.FindTarget(lease.Target);
            var vocabulary = vocabularies.For(lease.Provider);
            var writable = lease.Actions.Any(a => ActionClassifier.Classify(vocabulary, a) > ActionClass.Read);
            foreach (var resource in lease.Resources)
            {
                // A resource the catalogue no longer knows counts as critical: the safe side for a reader of the figure.
                var sensitivity = target?.Match(resource)?.Sensitivity ?? Sensitivity.Critical;
                var key = (lease.Target, resource);
                if (!reach.TryGetValue(key, out var entry))
                {
                    entry = (sensitivity, new SortedSet<string>(StringComparer.Ordinal), lease.ExpiresAt, false);
                }

                entry.Actions.UnionWith(lease.Actions);
                reach[key] = (entry.Sensitivity, entry.Actions, lease.ExpiresAt > entry.Until ? lease.ExpiresAt : entry.Until, entry.Writable || writable);
            }
        }

        var entries = reach.Select(r => (r.Value.Sensitivity, Entry: new Entry(r.Key.Target, r.Key.Resource, r.Value.Actions.ToList(),
            r.Value.Writable, r.Value.Until))).ToList();
        var groups = entries.GroupBy(e => e.Sensitivity).OrderByDescending(g => g.Key)
            .Select(g => new Group(g.Key, g.Select(e => e.Entry).OrderBy(e => e.Target, StringComparer.Ordinal).ThenBy(e => e.Resource, StringComparer.Ordinal).ToList()))
            .ToList();
        return new BlastRadius(groups, HeadlineOf(entries, now));
    }

    private static string HeadlineOf(List<(Sensitivity Sensitivity, Entry Entry)> entries, DateTimeOffset now)
    {
        if (entries.Count == 0)
        {
            return "Nothing reachable: no live credentials.";
        }

        var writable = entries.Where(e => e.Entry.Writable).ToList();
        var counted = writable.Count > 0 ? writable : entries;
        var parts = counted.GroupBy(e => e.Sensitivity).OrderByDescending(g => g.Key)
            .Select(g => $"{g.Count().ToString(CultureInfo.InvariantCulture)} {g.Key.ToString().ToLowerInvariant()}");
        var minutes = (int)Math.Ceiling((counted.Max(e => e.Entry.Until) - now).TotalMinutes);
        var noun = counted.Count == 1 ? "resource" : "resources";
        var verb = writable.Count > 0 ? "writable" : "readable, none writable,";
        return $"{string.Join(", ", parts)} {noun} {verb} for {minutes.ToString(CultureInfo.InvariantCulture)} more minute{(minutes == 1 ? string.Empty : "s")}";
    }
}
