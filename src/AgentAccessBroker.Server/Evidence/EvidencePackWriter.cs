using System.Security.Cryptography;
using System.Text;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>
/// Makes an evidence pack: selects the audit events of the scope, computes the report and the population from them,
/// and signs a manifest of every file's hash with the broker's audit key (the key <c>aab audit export</c> signs with).
/// </summary>
public sealed class EvidencePackWriter(IBrokerStore store, AuditSigningKey key, TimeProvider time)
{
    public async Task<EvidencePack> BuildAsync(EvidenceScope scope, CancellationToken cancellationToken)
    {
        scope = scope.Validated();
        var (events, chain) = await SelectAsync(scope, cancellationToken);
        if (events.Count == 0 && scope.Task is not null)
        {
            throw BrokerError.NotFound("task", scope.Task);
        }

        var generatedAt = AuditChain.Normalise(time.GetUtcNow());
        var range = new EvidenceManifest.EventRange(
            events.Count, chain.FirstOrDefault()?.Sequence, chain.LastOrDefault()?.Sequence, chain.FirstOrDefault()?.PreviousHash, chain.LastOrDefault()?.Hash,
            AuditManifest.Digest(events.Select(e => e.Hash)));
        var model = EvidenceContent.Model(events, generatedAt);
        var contents = EvidenceContent.Derived(model, scope, generatedAt, range, key.KeyId);
        contents[EvidenceContent.Events] = EvidenceContent.EventLines(events);
        contents[EvidenceContent.Chain] = EvidenceContent.ChainLines(chain);

        var files = EvidenceContent.Listed.Select(name => KeyValuePair.Create(name, Encoding.UTF8.GetBytes(contents[name]))).ToList();
        var manifest = new EvidenceManifest(1, EvidenceManifest.ManifestType, EvidenceModel.Stamp(generatedAt), EvidenceContent.ScopeInfo(scope), range,
            [.. files.Select(f => new EvidenceManifest.FileHash(f.Key, Convert.ToHexStringLower(SHA256.HashData(f.Value)), f.Value.LongLength))], key.KeyId);
        var manifestBytes = manifest.ToBytes();
        files.Add(KeyValuePair.Create(EvidenceManifest.FileName, manifestBytes));
        files.Add(KeyValuePair.Create(EvidenceManifest.SignatureFileName, EvidenceSignature.Sign(manifestBytes, key).ToBytes()));
        return new EvidencePack(files);
    }

    /// <summary>
    /// The events of the scope and the chain segment from the first to the last of them. A task's events are those that
    /// name it, and those of its leases that do not (revocation fallbacks). A period covers every task with an event in
    /// it (all of that task's events, even outside the period, so each task is complete) and the events in the period
    /// that belong to no task (principals, tokens, locks); an agent narrows both to that agent.
    /// </summary>
    private async Task<(List<AuditRecord> Events, List<EvidenceChainLink> Chain)> SelectAsync(EvidenceScope scope, CancellationToken cancellationToken)
    {
        var tasks = new HashSet<string>(StringComparer.Ordinal);
        var loose = new HashSet<long>();
        if (scope.Task is { } task)
        {
            tasks.Add(task);
        }
        else
        {
            await foreach (var e in store.ReadAuditAsync(new AuditQuery(scope.From, scope.To), cancellationToken))
            {
                if (scope.Agent is { } agent && e.AgentId != agent)
                {
                    continue;
                }

                if (e.TaskId is not null)
                {
                    tasks.Add(e.TaskId);
                }
                else if (e.LeaseId is null && e.RequestId is null)
                {
                    loose.Add(e.Sequence);
                }
            }
        }

        var leases = new HashSet<string>(StringComparer.Ordinal);
        var events = new List<AuditRecord>();
        var chain = new List<EvidenceChainLink>();
        var lastInScope = -1;
        await foreach (var e in store.ReadAuditAsync(new AuditQuery(), cancellationToken))
        {
            var inScope = (e.TaskId is not null && tasks.Contains(e.TaskId)) || (e.LeaseId is not null && leases.Contains(e.LeaseId)) || loose.Contains(e.Sequence);
            if (inScope)
            {
                if (e.LeaseId is not null)
                {
                    leases.Add(e.LeaseId);
                }

                events.Add(AuditRecord.Of(e));
            }

            if (inScope || chain.Count > 0)
            {
                chain.Add(new EvidenceChainLink(e.Sequence, e.PreviousHash, e.Hash));
                if (inScope)
                {
                    lastInScope = chain.Count - 1;
                }
            }
        }

        chain.RemoveRange(lastInScope + 1, chain.Count - lastInScope - 1);
        return (events, chain);
    }
}
