using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

public sealed class TargetValidationTests
{
    private static readonly SecretReference Password = new(SecretSource.Environment, "PG_ADMIN_PASSWORD");

    [Fact]
    public void ValidateTarget_CompleteTarget_NoProblems()
    {
        var problems = PostgresTarget.Validate(Target(new()
        {
            ["host"] = "db.internal", ["port"] = "5433", ["username"] = "broker", ["admin_database"] = "postgres",
            ["ssl_mode"] = "verify-full", ["owner_role"] = "app_owner",
        }));

        Assert.Empty(problems);
    }

    [Fact]
    public void ValidateTarget_OnlyHostAndUsername_UsesDefaults()
    {
        var target = PostgresTarget.From(Target(new() { ["host"] = "db", ["username"] = "broker" }));

        Assert.Equal(5432, target.Port);
        Assert.Equal("postgres", target.AdminDatabase);
        Assert.Equal("broker", target.OwnerRole);
        Assert.Null(target.SslMode);
    }

    [Fact]
    public void ValidateTarget_MissingHostAndUsername_OneProblemForEachKey()
    {
        var problems = PostgresTarget.Validate(Target(new() { ["port"] = "5432" }));

        Assert.Equal(["host", "username"], problems.Select(p => p.Key).Order());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("five")]
    [InlineData(" 5432")]
    [InlineData("5432.0")]
    public void ValidateTarget_BadPort_ReportsPortKey(string port)
    {
        var problem = Assert.Single(PostgresTarget.Validate(Target(new() { ["host"] = "db", ["username"] = "broker", ["port"] = port })));

        Assert.Equal("port", problem.Key);
    }

    [Fact]
    public void ValidateTarget_PasswordInlineInsteadOfByReference_OneProblemForPassword()
    {
        var target = new TargetSettings("db", "postgresql",
            new Dictionary<string, string> { ["host"] = "db", ["username"] = "broker", ["password"] = "hunter2" },
            new Dictionary<string, SecretReference>());

        var problem = Assert.Single(PostgresTarget.Validate(target));

        Assert.Equal("password", problem.Key);
        Assert.DoesNotContain("hunter2", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateTarget_EveryKindOfMistake_ReportsAllOfThem()
    {
        var target = new TargetSettings("db", "postgresql",
            new Dictionary<string, string> { ["port"] = "x", ["ssl_mode"] = "sometimes", ["hostname"] = "db", ["owner_role"] = "", ["admin_database"] = new string('d', 64) },
            new Dictionary<string, SecretReference> { ["token"] = Password });

        var keys = PostgresTarget.Validate(target).Select(p => p.Key).Order().ToList();

        Assert.Equal(["admin_database", "host", "hostname", "owner_role", "password", "port", "ssl_mode", "token", "username"], keys);
    }

    private static TargetSettings Target(Dictionary<string, string> settings) =>
        new("db", "postgresql", settings, new Dictionary<string, SecretReference> { ["password"] = Password });
}
