using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.Slack.Tests;

[CollectionDefinition(PostgresCollection.Name)]
public sealed class PostgresCollectionDefinition : ICollectionFixture<PostgresFixture>;
