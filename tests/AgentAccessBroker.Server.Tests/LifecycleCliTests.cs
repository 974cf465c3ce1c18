namespace AgentAccessBroker.Server.Tests;

/// <summary>The lifecycle commands exist in the real <c>aab</c> and document themselves in --help.</summary>
public sealed class LifecycleCliTests
{
    [Theory]
    [InlineData("disable", "agent", "disable")]
    [InlineData("enable", "agent", "enable")]
    [InlineData("remove", "agent", "remove")]
    [InlineData("disable", "user", "disable")]
    [InlineData("remove", "user", "remove")]
    [InlineData("--expires-in", "token", "rotate")]
    [InlineData("--reason", "lock")]
    [InlineData("--task", "lock")]
    [InlineData("Lift a lock", "unlock")]
    [InlineData("List locks", "locks")]
    [InlineData("Cancel a task", "task", "cancel")]
    [InlineData("--token-expires-in", "agent", "add")]
    public async Task Help_LifecycleCommand_Documented(string expected, params string[] command)
    {
        var arguments = command.Take(command.Length > 1 && command[^1] is "disable" or "enable" or "remove" ? command.Length - 1 : command.Length).Append("--help").ToArray();

        var (exit, stdout, _) = await AabCli.RunAsync(arguments);

        Assert.Equal(0, exit);
        Assert.Contains(expected, stdout, StringComparison.Ordinal);
    }
}
