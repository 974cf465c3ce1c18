namespace AgentAccessBroker.Cli;

/// <summary>A failure the CLI reports as one line on stderr with a non-zero exit code.</summary>
internal sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
