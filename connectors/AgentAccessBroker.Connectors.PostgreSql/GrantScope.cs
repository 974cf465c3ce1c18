namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// One requested resource. <c>db</c> means every table of schema <c>public</c> in <c>db</c> (the narrow reading: other
/// schemas are never included); <c>db.schema</c> every table of that schema; <c>db.schema.table</c> one table.
/// "Every table" means the tables, views and foreign tables that exist when the lease is minted, not ones created later.
/// </summary>
/// <param name="Table">Null for schema-wide grants.</param>
internal sealed record GrantScope(string Resource, string Database, string Schema, string? Table)
{
    public const string DefaultSchema = "public";
}
