using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>
/// Two production changes a person always sees the first time, whatever the score: a push to a production repository
/// that opens no pull request (nothing reviews it before it lands, and a tag publishes a release at once), and a change
/// to how a production system is set up or what it runs (a function's code or settings, an app's slot or scale, an
/// alarm). A data write, a pull request, a work record, a query's results and a cache refresh are not these; the same
/// change granted again and again (routine) is no longer a first.
/// </summary>
internal static class ProductionChanges
{
    /// <summary>
    /// A change to how a system is set up or what it runs (a deploy, a restart, a setting): not to its data, its source or
    /// the records kept about the work, and not a cache refresh, which leaves all of them as they were.
    /// </summary>
    public static bool ChangesSetup(ClassifiedAction a) =>
        a.Class >= ActionClass.Write && !a.Has(ActionTraits.WorkRecordsOnly) && !a.Has(ActionTraits.RefreshesCache)
        && !a.Has(ActionTraits.DataAccess) && !a.Has(ActionTraits.SourceCode);

    /// <summary>Runs after the routine credit, which it needs to see.</summary>
    public static void Review(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        var at = Array.FindIndex(facts.Resources, r => r.Environment == "prod");
        if (at < 0 || facts.TopClass < ActionClass.Write || sheet.Has(FactorCodes.Routine) || TaskScope.WritesOnlyQueryResults(facts))
        {
            return;
        }

        var prod = facts.Resources[at];

        var push = false;
        var proposed = false;
        var setup = false;
        foreach (var a in facts.Actions)
        {
            push |= a.Class >= ActionClass.Write && !a.Has(ActionTraits.WorkRecordsOnly) && a.Has(ActionTraits.SourceCode);
            proposed |= a.Has(ActionTraits.ProposesForReview);
            setup |= ChangesSetup(a);
        }

        if (push && !proposed)
        {
            sheet.RaiseFloor(DecisionKind.RequireApproval,
                $"the request can push to {prod.Display}, a production repository, without a pull request: nothing reviews the change before it lands (a tag publishes a release at once), so a human decides");
        }
        else if (setup)
        {
            sheet.RaiseFloor(DecisionKind.RequireApproval,
                $"the request changes how {prod.Display} is set up or what it runs in production, and this agent has no routine of the same change: a human decides");
        }
    }
}
