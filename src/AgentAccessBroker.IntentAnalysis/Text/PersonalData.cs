using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>
/// Words that say a text is about personal data (identifiers and quasi-identifiers of people), and whether a catalogue
/// description calls a resource public. Deliberately a short list a reviewer can read: it adds risk, it never removes it.
/// </summary>
internal static partial class PersonalData
{
    /// <summary>The first personal-data phrase of <paramref name="text"/>, or null.</summary>
    public static string? Find(string? text) => FirstMatch.Of(PersonalDataPattern(), text);

    /// <summary>
    /// The first phrase of <paramref name="text"/> that says the data is real data from somewhere else ("production
    /// data", "the real manifests", "customer records", "live data") or real things used as made-up ones ("real
    /// timetables of three programmes as test fixtures"), not made up for the purpose, or null.
    /// </summary>
    public static string? FindRealData(string? text) => FirstMatch.Of(RealDataPattern(), text) ?? FirstMatch.Of(RealThingsAsFixturesPattern(), text);

    /// <summary>The first verb of <paramref name="text"/> that copies something into the place written ("paste", "attach", "include"), or null.</summary>
    public static string? FindCopying(string? text) => FirstMatch.Of(CopyingPattern(), text);

    /// <summary>
    /// The word of <paramref name="name"/> that says it holds records about people ("students" of
    /// <c>students</c>, "customer" of <c>customer_addresses</c>), or null.
    /// </summary>
    public static string? NamesPeople(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var match = PeoplePattern().Match(name);
        return match.Success ? match.Groups["people"].Value.ToLowerInvariant() : null;
    }

    /// <summary>The first verb of <paramref name="text"/> that takes a value out to people ("print", "paste", "send", "share"), or null.</summary>
    public static string? FindDisclosing(string? text) => FirstMatch.Of(DisclosingPattern(), text);

    [GeneratedRegex(@"\b(print(s|ed|ing)?|past(e|es|ed|ing)|shar(e|es|ed|ing)|post(s|ed|ing)?|forward(s|ed|ing)?|attach(es|ed|ing)?|cop(y|ies|ied|ying)|(send|e-?mail)\s+(it|them|both|the\s+(old\s+|new\s+)?(key|value|password|secret|token|credential)s?))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DisclosingPattern();

    /// <summary>The first phrase of <paramref name="text"/> that speaks of credentials ("partner keys", "the API token", "secrets"), or null; never "public key".</summary>
    public static string? FindCredentials(string? text) => FirstMatch.Of(CredentialsPattern(), text);

    [GeneratedRegex(@"\b((api|access|secret|private|partner|sandbox|prod|production|aws|ssh|signing|service[- ]account|deploy|admin)[- ]keys?|secrets?|credentials?|passwords?|(api|access|auth|bearer|bot|personal access)[- ]tokens?|tokens?|connection strings?|client secrets?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CredentialsPattern();

    /// <summary>The first phrase of an agent's purpose that says what it writes goes public ("in a public repo", "publish", "without accounts"), or null.</summary>
    public static string? FindGoingPublic(string? purpose) => FirstMatch.Of(PurposeGoesPublicPattern(), purpose);

    /// <summary>The description calls the resource public or open source ("public repositories", "the public tracking site"); a "public schema" is not.</summary>
    public static bool DescribesPublic(string description) => PublicPattern().IsMatch(description);

    // Identifiers and quasi-identifiers of people, and data kept per person ("account-level", "per-referral"): only ever
    // looked for in the purpose of a request that writes to a public place.
    [GeneratedRegex(@"\b(zip ?codes?|post ?codes?|postal codes?|dates? of birth|birth ?dates?|dob|ssns?|social security|national insurance|passport numbers?|home address(es)?|street address(es)?|(postal |customer |their )?addresses|e-?mail address(es)?|phone numbers?|mrns?|medical record numbers?|patient (names?|ids?|identifiers?)|full names?|names and (addresses|ages)|names, ages|ages|liable persons?|number ?plates?|licen[cs]e ?plates?|plates|faces|payslips?|pay slips?|(?:parents|customers|users|pupils|students|members|employees|patients|guests|passengers)['’]?\s+e-?mails?|p45s?|p60s?|p11ds?|w-?2s?|tax returns?|tax forms?|(account|person|individual|patient|resident|customer|household|claimant|referral|case|user|member|student|pupil|citizen|tenant)[- ]level|per[- ](person|referral|account|claimant|resident|household|case|customer|individual|pupil|student|patient))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PersonalDataPattern();

    // Real things of any name used as made-up ones: "add real semester-2 timetables of three programmes as test fixtures",
    // "add the CVN-204 AE extract as a realistic test fixture".
    [GeneratedRegex(@"\b(real|actual|genuine|production|prod|live|extracts?|exports?|dumps?)(?:\s[^.;:]{0,80}?)?\s(as|for|into)\s+(a\s+|an\s+|the\s+|our\s+|new\s+)?(realistic\s+)?(test\s+|unit[- ]test\s+)?(fixtures?|test data|sample data|samples?|examples?|seed data|demo data|golden files?|snapshots?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RealThingsAsFixturesPattern();

    // "production data", "the real manifests", "customer records".
    [GeneratedRegex(@"\b(real|production|prod|live|internal|confidential|proprietary|customers?(?:'s?)?|clients?(?:'s?)?|users?(?:'s?)?|buyers?(?:'s?)?|sellers?(?:'s?)?|patients?(?:'s?)?)(\s+[\w-]+){0,2}?\s+(data|datasets?|records?|manifests?|dumps?|exports?|messages?|payloads?|samples?|invoices?|orders?|shipments?|files?|rows?|tables?|logs?|captures?|readings?|telemetry|traces?|recordings?|events?|measurements?|transcripts?|conversations?|chats?|emails?|screenshots?|attachments?|lists?|memos?|spreadsheets?|specs?|specifications?|endpoints?|documents?|docs)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RealDataPattern();

    [GeneratedRegex(@"\b(past(?:e|es|ed|ing)|attach(?:es|ed|ing)?|includ(?:e|es|ed|ing)|cop(?:y|ies|ied|ying)|upload(?:s|ed|ing)?|dump(?:s|ed|ing)?|quot(?:e|es|ed|ing)|embed(?:s|ded|ding)?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CopyingPattern();

    // Nouns for people a business keeps records about; "tenants" and "accounts" are left out (organisations, logins).
    [GeneratedRegex(@"(?:^|[^a-z])(?<people>students?|pupils?|learners?|applicants?|patients?|customers?|clients?|employees?|staff|users?|members?|subscribers?|citizens?|residents?|voters?|electors?|claimants?|policyholders?|passengers?|persons?|people|contacts?|donors?|beneficiar(?:y|ies)|candidates?|guests?|visitors?|travell?ers?|borrowers?|cardholders?|debtors?|taxpayers?|couriers?|drivers?|riders?|crew|pilots?|players?|sellers?|nurses?|doctors?|physicians?|teachers?|technicians?)(?:$|[^a-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PeoplePattern();

    [GeneratedRegex(@"\b(public(ly)?\b(?!\s+schema)|open[- ]source\b|open[- ]data\b|published (under|on|to|as)\b|open government licen[cs]e\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PublicPattern();

    [GeneratedRegex(@"\b(public(ly)?\b(?!\s+schema)|publish(es|ed|ing)?\b|without (an )?(accounts?|log-?ins?|sign-?ins?)\b|for anyone\b|anyone can\b|for transparency\b|on the (public )?website\b|for the (press|public)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PurposeGoesPublicPattern();
}
