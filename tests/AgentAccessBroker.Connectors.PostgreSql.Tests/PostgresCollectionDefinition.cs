using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

[CollectionDefinition(PostgresCollection.Name)]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresFixture>;
