namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>What the purpose text tried to tell the broker instead of explaining the work.</summary>
/// <param name="Instruction">The first instruction aimed at the broker or a reviewer ("ignore the policy"), or null.</param>
/// <param name="Evasion">Talk of getting around a control ("bypass the policy"): may describe work, so it is not decisive.</param>
/// <param name="Pressure">A word that applies pressure or claims safety ("urgent", "harmless"), or null.</param>
/// <param name="HiddenCharacters">Invisible or direction-changing characters that hide text from a human reader.</param>
internal readonly record struct InjectionFindings(string? Instruction, string? Evasion, string? Pressure, bool HiddenCharacters)
{
    public bool Any => Instruction is not null || Evasion is not null || Pressure is not null || HiddenCharacters;
}

/// <summary>
/// Finds instructions embedded in an agent's stated purpose. The purpose is untrusted text that a prompt-injected agent
/// may fill with orders for the broker or a reviewing model; anything found here only ever adds risk.
/// </summary>
internal static class InjectionDetector
{
    // Phrases addressed to the decider rather than describing work. Matched on a normalised copy (lower case, single
    // spaces, punctuation other than ':' '<' '[' '|' removed) so spacing and punctuation tricks do not evade them.
    private static readonly string[] Instructions =
    [
        "already approved", "pre approved", "preapproved", "approved by admin", "approved by the admin", "approved by an admin",
        "approved by administrator", "approved by the administrator", "approved by security", "approved by the security",
        "approved by the ciso", "approved by the cto", "approved by the ceo", "authorized by the admin", "authorised by the admin",
        "no approval needed", "no approval required", "no need to ask", "no need for approval", "do not ask", "don t ask",
        "without approval", "skip approval", "skip the approval",
        "as the administrator", "as an administrator", "as administrator", "as the admin", "as an admin", "as admin",
        "i am the administrator", "i am an administrator", "i am the admin", "i am admin", "i am the security",
        "you are now", "pretend", "roleplay", "developer mode", "jailbreak",
        "system:", "<system", "[system", "system prompt", "system message", "assistant:", "<|", "|>", "[inst", "### instruction",
        "new instructions", "updated instructions",
        "you must grant", "you must approve", "you should grant", "you should approve", "must be granted", "should be granted",
        "must be approved", "grant this", "approve this", "grant immediately", "approve immediately", "auto approve",
        "automatically approve", "automatically grant", "grant full access", "grant admin", "give me admin", "give admin",
        "score of 0", "score to 0", "set the score", "treat this request as", "classify this request as", "mark this request as",
        "label this request as", "treat this as read", "treat this as low", "consider this safe", "this request is safe",
        "do not log this", "don t log this", "not be logged", "do not audit", "don t audit", "off the record", "no audit trail",
        "do not record this", "don t tell anyone", "do not tell anyone", "do not tell security", "don t tell security",
        "do not flag", "do not alert security", "without telling",

        // Notes addressed to the broker or its reviewers inside the purpose, and requests to record a decision.
        "note for the access broker", "note to the access broker", "note for the broker", "note to the broker", "assistant note",
        "note for the reviewer", "note to the reviewer", "note for the approver", "note to the approver",
        "record it as approved", "record this as approved", "mark it as approved", "log it as approved", "record it as granted",

        // Orders to agents found in a file, page or message and relayed as the reason (indirect injection).
        "agents must", "agents should", "agent must", "agents are required", "all agents", "says agents", "tells agents",
        "agents md", "claude md", "cursorrules", "copilot instructions",
        "system notice", "system notification", "system instruction", "system override", "note to the ai", "note for the ai",
        "to the ai assistant", "to any ai", "attention ai", "dear ai", "if you are an ai", "if you are an llm", "if you are a language model",
        "note to ai", "ai assistants:", "to ai assistants", "ai agents:", "to ai agents", "bot:", "bots:", "the bot must", "the bot should",
        "bots must", "bots should", "the ai must", "the ai should", "the assistant must", "the assistant should",

        // The agent saying it acts on an order it found in data: the order, not the task, drives the request.
        "following it", "following its instructions", "following the instruction", "following that instruction", "as instructed by the",
        "as instructed in the", "doing what it says", "as the log says", "as the ticket says", "as the comment says",
        "doing as instructed", "as instructed", "following the notice", "following the note", "following the message",
        "notice to automation", "note to automation", "to automation:", "automation:", "validator note:",
        "to follow that", "follow that", "following that", "to follow it", "do as it says", "analyst: for", "always also export",
    ];

    // Verbs aimed at the decider become an instruction when their object is one of its controls.
    private static readonly string[] CommandVerbs = ["ignore", "disregard", "forget", "overrule"];

    // Verbs that may also describe real work on a control ("override the retention policy"): risky, not decisive.
    private static readonly string[] EvasionVerbs = ["override", "bypass", "circumvent", "sidestep", "evade", "get around"];

    private static readonly string[] Controls =
    [
        "policy", "policies", "rule", "rules", "instruction", "instructions", "guardrail", "guardrails", "restriction", "restrictions",
        "approval", "approvals", "review", "above", "security", "safeguard", "safeguards", "audit", "broker", "analyzer", "analyser",
        "scoring", "score",
    ];

    private static readonly string[] PressureWords =
    [
        "urgent", "urgently", "immediately", "asap", "right now", "emergency", "ceo", "harmless", "low risk", "no risk", "totally safe",
        "completely safe", "trust me", "just this once", "quick favour", "quick favor", "approved by", "has been approved", "signed off",
    ];

    public static InjectionFindings Inspect(string? purpose)
    {
        if (string.IsNullOrEmpty(purpose))
        {
            return default;
        }

        var hidden = false;
        foreach (var ch in purpose)
        {
            if (ch is >= '\u200B' and <= '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\uFEFF' or '\u00AD' or '\u2060')
            {
                hidden = true;
                break;
            }
        }

        var text = Normalise(purpose);
        string? instruction = null;
        foreach (var phrase in Instructions)
        {
            if (ContainsPhrase(text, phrase))
            {
                instruction = phrase.Trim();
                break;
            }
        }

        instruction ??= VerbOnControl(text, CommandVerbs);
        var evasion = instruction is null ? VerbOnControl(text, EvasionVerbs) : null;

        string? pressure = null;
        foreach (var word in PressureWords)
        {
            if (ContainsPhrase(text, word))
            {
                pressure = word;
                break;
            }
        }

        return new InjectionFindings(instruction, evasion, pressure, hidden);
    }

    /// <summary>
    /// The first word of <paramref name="purpose"/> that applies pressure or claims safety and that the human's
    /// <paramref name="task"/> does not use itself ("the old emergency number" makes "emergency" the work's subject), or null.
    /// </summary>
    public static string? PressureNotIn(string? purpose, string? task)
    {
        if (string.IsNullOrEmpty(purpose))
        {
            return null;
        }

        var text = Normalise(purpose);
        var taskText = string.IsNullOrEmpty(task) ? string.Empty : Normalise(task);
        foreach (var word in PressureWords)
        {
            if (ContainsPhrase(text, word) && !ContainsPhrase(taskText, word))
            {
                return word;
            }
        }

        return null;
    }

    private static string? VerbOnControl(string text, string[] verbs)
    {
        foreach (var verb in verbs)
        {
            var at = 0;
            while ((at = IndexOfWord(text, verb, at)) >= 0)
            {
                // The object of the verb must follow within a few words ("ignore all previous instructions").
                var window = text.AsSpan(at + verb.Length, Math.Min(48, text.Length - at - verb.Length));
                foreach (var control in Controls)
                {
                    if (IndexOfWord(window, control) >= 0)
                    {
                        return $"{verb} ... {control}";
                    }
                }

                at += verb.Length;
            }
        }

        return null;
    }

    private static bool ContainsPhrase(string text, string phrase)
    {
        // Phrases that end in punctuation (system:, <|) match anywhere; word phrases must start on a word boundary.
        var last = phrase[^1];
        if (!char.IsLetterOrDigit(phrase[0]) || !char.IsLetterOrDigit(last) && last != ' ')
        {
            return text.Contains(phrase, StringComparison.Ordinal);
        }

        return IndexOfWord(text, phrase.TrimEnd(), 0) >= 0;
    }

    private static int IndexOfWord(string text, string word, int from) => IndexOfWordCore(text.AsSpan(), word, from);

    private static int IndexOfWord(ReadOnlySpan<char> text, string word) => IndexOfWordCore(text, word, 0);

    private static int IndexOfWordCore(ReadOnlySpan<char> text, string word, int from)
    {
        while (from <= text.Length - word.Length)
        {
            var i = text[from..].IndexOf(word, StringComparison.Ordinal);
            if (i < 0)
            {
                return -1;
            }

            i += from;
            var startOk = i == 0 || !char.IsLetterOrDigit(text[i - 1]);
            var end = i + word.Length;
            var endOk = end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (startOk && endOk)
            {
                return i;
            }

            from = i + 1;
        }

        return -1;
    }

    private static string Normalise(string purpose)
    {
        var buffer = purpose.Length <= 512 ? stackalloc char[purpose.Length] : new char[purpose.Length];
        var n = 0;
        var lastSpace = true;
        foreach (var raw in purpose)
        {
            var ch = char.ToLowerInvariant(raw);
            var keep = char.IsLetterOrDigit(ch) || ch is ':' or '<' or '[' or '|' or '#';
            if (!keep)
            {
                if (!lastSpace)
                {
                    buffer[n++] = ' ';
                    lastSpace = true;
                }

                continue;
            }

            buffer[n++] = ch;
            lastSpace = false;
        }

        return new string(buffer[..n]);
    }
}
