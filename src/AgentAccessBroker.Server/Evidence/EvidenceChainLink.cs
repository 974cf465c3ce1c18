namespace AgentAccessBroker.Server.Evidence;

/// <summary>One line of <c>chain.jsonl</c>: every audit event of the covered range, in scope or not, by its hashes only.</summary>
public sealed record EvidenceChainLink(long Sequence, string PreviousHash, string Hash);
