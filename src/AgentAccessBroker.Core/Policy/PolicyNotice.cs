namespace AgentAccessBroker.Policy;

/// <summary>Something in a valid policy that should be rewritten (a deprecated key), located like a <see cref="PolicyProblem"/>.</summary>
/// <param name="Code">A stable identifier from <see cref="PolicyProblemCodes"/>.</param>
public sealed record PolicyNotice(string File, int Line, int Column, string Code, string Message)
{
    /// <summary>Compiler-style: <c>file:line:column: warning CODE: message</c>.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: warning {Code}: {Message}";
}
