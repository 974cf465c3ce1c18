namespace AgentAccessBroker.Storage;

/// <summary>One step of the schema. Applied once, in version order, inside one transaction with its bookkeeping row.</summary>
internal sealed record SchemaMigration(int Version, string Name, IReadOnlyList<string> Statements);
