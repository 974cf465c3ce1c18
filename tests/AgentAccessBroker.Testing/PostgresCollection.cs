using Xunit;

namespace AgentAccessBroker.Testing;

/// <summary>Put <c>[Collection(PostgresCollection.Name)]</c> on a test class to share one cluster across classes of an assembly.</summary>
public static class PostgresCollection
{
    public const string Name = "postgres";
}
