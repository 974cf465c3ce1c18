using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>
/// Words of a purpose that announce the request as something added to the task rather than part of it ("while I'm in
/// there", "while I'm at it", "might as well", "since I'm already in", "while fixing"). A short list a reviewer can read:
/// it only tightens.
/// </summary>
internal static partial class AddOnWords
{
    /// <summary>The first phrase of <paramref name="text"/> that announces an add-on to the task, or null.</summary>
    public static string? Find(string? text) => FirstMatch.Of(AddOnPattern(), text);

    /// <summary>
    /// The first word of <paramref name="text"/> that adds something to what was asked ("also", "as well", "too",
    /// "additionally", "in addition"), or null: weak on its own, telling beside a resource the task does not cover.
    /// </summary>
    public static string? FindAlso(string? text) => FirstMatch.Of(AlsoPattern(), text) ?? Find(text);

    [GeneratedRegex(@"\b(?:also|as well|too|additionally|in addition|on top)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AlsoPattern();

    [GeneratedRegex(@"\bwhile (?:i'm|i am|im|we're|we are|i have|i've got|we have) (?:in there|in here|here|there|at it|on it|access|the access|the keys)\b|\b(?:might|may) as well\b|\bsince (?:i'm|i am|we're|we are) (?:already )?(?:in there|in here|here|there|at it|on it)\b|\bwhile (?:in there|at it|we're there)\b|\bon the side\b|\bbonus fix\b|\bwhile (?:i'm |i am |we're |we are )?(?:fixing|doing|working on|patching|deploying|cleaning up)(?: (?:it|this|that|the \w+))?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AddOnPattern();
}
