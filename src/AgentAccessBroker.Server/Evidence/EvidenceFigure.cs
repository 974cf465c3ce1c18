namespace AgentAccessBroker.Server.Evidence;

/// <summary>One summary figure of a pack: a stable key (what <c>controls.md</c> refers to), a label and its value as shown.</summary>
public sealed record EvidenceFigure(string Key, string Label, string Value);
