using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.Teams.Tests;

[CollectionDefinition(PostgresCollection.Name)]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresFixture>;
