using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Storage.Tests;

[CollectionDefinition(PostgresCollection.Name)]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresFixture>;
