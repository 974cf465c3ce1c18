using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Server.Tests;

[CollectionDefinition(PostgresCollection.Name)]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresFixture>;
