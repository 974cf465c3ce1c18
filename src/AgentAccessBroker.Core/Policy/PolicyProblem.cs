namespace AgentAccessBroker.Policy;

/// <summary>One thing wrong with a policy file, located at the line and column (1-based) where it was written.</summary>
/// <param name="Code">A stable identifier from <see cref="PolicyProblemCodes"/>, for scripts and tests.</param>
/// <param name="Message">Human-readable. Never contains a secret value, even when the problem is an inline secret.</param>
public sealed record PolicyProblem(string File, int Line, int Column, string Code, string Message)
{
    /// <summary>Compiler-style, so editors and CI logs turn it into a link: <c>file:line:column: error CODE: message</c>.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: error {Code}: {Message}";
}
