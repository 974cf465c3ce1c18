using System.Collections.Frozen;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Policy;

/// <summary>Decision thresholds and limits for one sensitivity level.</summary>
/// <param name="GrantBelow">A score strictly below this is granted automatically.</param>
/// <param name="DenyAtOrAbove">A score at or above this is denied; in between a human decides.</param>
/// <param name="NormalDuration">What a routine grant lasts; longer requests add risk.</param>
/// <param name="MaxDuration">No grant lasts longer; longer requests are shortened to this.</param>
/// <param name="Quorum">How many distinct approvers must approve.</param>
/// <param name="ApprovalTimeout">A pending request is denied when no decision arrives in this time.</param>
public sealed record SensitivityRules(
    int GrantBelow,
    int DenyAtOrAbove,
    TimeSpan NormalDuration,
    TimeSpan MaxDuration,
    int Quorum,
    TimeSpan ApprovalTimeout)
{
    /// <summary>The claim window every level gets unless the policy sets <c>claim_window</c>.</summary>
    public static TimeSpan DefaultClaimWindow { get; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long an approval stays claimable: a claim later than this after the decision is refused
    /// (<c>approval_expired</c>) and mints nothing, so an old approval cannot be cashed in after circumstances changed.
    /// </summary>
    public TimeSpan ClaimWindow { get; init; } = DefaultClaimWindow;

    /// <summary>What applies to a level, or to a key of a level, that the policy file leaves out.</summary>
    public static IReadOnlyDictionary<Sensitivity, SensitivityRules> Defaults { get; } = new Dictionary<Sensitivity, SensitivityRules>
    {
        [Sensitivity.Low] = new(50, 90, TimeSpan.FromHours(1), TimeSpan.FromHours(8), 1, TimeSpan.FromMinutes(30)),
        [Sensitivity.Medium] = new(35, 85, TimeSpan.FromMinutes(30), TimeSpan.FromHours(4), 1, TimeSpan.FromMinutes(30)),
        [Sensitivity.High] = new(20, 80, TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), 1, TimeSpan.FromMinutes(30)),
        [Sensitivity.Critical] = new(0, 70, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), 2, TimeSpan.FromMinutes(30)),
    }.ToFrozenDictionary();
}
