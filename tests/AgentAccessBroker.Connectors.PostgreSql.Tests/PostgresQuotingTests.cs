using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Testing;
using Npgsql;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>The quoters are the only barrier between caller-chosen names and DDL: prove them on the real parser.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresQuotingTests(PostgresFixture postgres)
{
    public static TheoryData<string> HostileStrings => new()
    {
        "plain",
        "it's",
        "'; DROP TABLE victim; --",
        "\\'; DROP TABLE victim; --",
        "\\",
        "trailing backslash\\",
        "\"; DROP TABLE victim; --",
        "$$; DROP TABLE victim; $$",
        "E'x'",
        "ünïcödé 😀 テーブル",
        "semi;colon",
        "new\nline",
    };

    [Fact]
    public void Identifier_EmbeddedQuote_IsDoubledInsideDoubleQuotes()
    {
        Assert.Equal("\"a\"\"b\"", PostgresQuoting.Identifier("a\"b"));
        Assert.Equal("\"s\".\"t\"", PostgresQuoting.Qualified("s", "t"));
    }

    [Fact]
    public void Literal_QuotesAndBackslashes_AreEscapedInEscapeString()
    {
        Assert.Equal("E'it''s a \\\\ test'", PostgresQuoting.Literal("it's a \\ test"));
    }

    [Fact]
    public void QuoteFunctions_NulCharacter_Refused()
    {
        Assert.Throws<ArgumentException>(() => PostgresQuoting.Identifier("a\0b"));
        Assert.Throws<ArgumentException>(() => PostgresQuoting.Literal("a\0b"));
    }

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public async Task Literal_HostileString_RoundTripsUnderEitherStringSetting(string value)
    {
        await using var connection = new NpgsqlConnection(postgres.Cluster.ConnectionString());
        await connection.OpenAsync();
        foreach (var conforming in new[] { "on", "off" })
        {
            await using (var set = new NpgsqlCommand($"SET standard_conforming_strings = {conforming}; SET escape_string_warning = off", connection))
            {
                await set.ExecuteNonQueryAsync();
            }

            await using var select = new NpgsqlCommand($"SELECT {PostgresQuoting.Literal(value)}", connection);

            Assert.Equal(value, await select.ExecuteScalarAsync());
        }
    }

    [Theory]
    [MemberData(nameof(HostileStrings))]
    public async Task Identifier_HostileName_IsOneIdentifierTakenLiterally(string name)
    {
        await using var connection = new NpgsqlConnection(postgres.Cluster.ConnectionString());
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand($"SELECT 1 AS {PostgresQuoting.Identifier(name)}", connection);
        await using var reader = await select.ExecuteReaderAsync();

        Assert.Equal(1, reader.FieldCount);
        Assert.Equal(name, reader.GetName(0));
    }
}
