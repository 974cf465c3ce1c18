namespace AgentAccessBroker.Server.Tests;

/// <summary>A finished process: exit code and everything it printed.</summary>
public sealed record ShellRun(int Exit, string Stdout, string Stderr)
{
    public static readonly ShellRun Empty = new(-1, string.Empty, string.Empty);

    public override string ToString() => $"exit {Exit}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
