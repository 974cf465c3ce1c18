namespace AgentAccessBroker.Policy.Loading;

/// <summary>Collects every problem found while loading one file; loading never stops at the first.</summary>
internal sealed class ProblemSink(string file)
{
    private readonly List<PolicyProblem> _problems = [];

    public string File { get; } = file;

    public int Count => _problems.Count;

    public void Report(SourceSpan at, string code, string message) =>
        _problems.Add(new PolicyProblem(File, at.Line, at.Column, code, message));

    /// <summary>The problems in file order; problems on the same spot keep the order they were found in.</summary>
    public IReadOnlyList<PolicyProblem> Sorted() =>
        [.. _problems.OrderBy(p => p.Line).ThenBy(p => p.Column)];
}
