namespace AgentAccessBroker.Connectors.Aws.Revocation;

/// <summary>How (and whether) the deny policy covers a session.</summary>
internal abstract record DenyCoverage
{
    private DenyCoverage()
    {
    }

    /// <summary>The session's <c>aws:userid</c> is listed in statement <paramref name="Sid"/>, kept until <paramref name="Until"/>.</summary>
    public sealed record Listed(string Sid, DateTimeOffset Until) : DenyCoverage;

    /// <summary>The role-wide fallback denies every session issued before <paramref name="IssuedBefore"/>.</summary>
    public sealed record RoleWide(string Sid, DateTimeOffset IssuedBefore, DateTimeOffset Until) : DenyCoverage;

    public sealed record None : DenyCoverage;
}
