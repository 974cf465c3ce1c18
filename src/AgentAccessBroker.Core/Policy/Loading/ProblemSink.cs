namespace AgentAccessBroker.Policy.Loading;

/// <summary>Collects every problem found while loading one file; loading never stops at the first.</summary>
internal sealed class ProblemSink(string file)
{
    private readonly List<PolicyProblem> _problems = [];
    private readonly List<PolicyNotice> _notices = [];

    public string File { get; } = file;

    public int Count => _problems.Count;

    public void Report(SourceSpan at, string code, string message) =>
        _problems.Add(new PolicyProblem(File, at.Line, at.Column, code, message));

    /// <summary>Something that loads but should be rewritten (a deprecated key). Never makes the policy invalid.</summary>
    public void Notice(SourceSpan at, string code, string message) =>
        _notices.Add(new PolicyNotice(File, at.Line, at.Column, code, message));

    public IReadOnlyList<PolicyNotice> SortedNotices() =>
        [.. _notices.OrderBy(p => p.Line).ThenBy(p => p.Column)];

    /// <summary>The problems in file order; problems on the same spot keep the order they were found in.</summary>
    public IReadOnlyList<PolicyProblem> Sorted() =>
        [.. _problems.OrderBy(p => p.Line).ThenBy(p => p.Column)];
}
