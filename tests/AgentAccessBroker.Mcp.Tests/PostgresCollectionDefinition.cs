using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Mcp.Tests;

[CollectionDefinition(PostgresCollection.Name)]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresFixture>;
