namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>A text reduced to canonical words: what it names, which verbs it uses, how much it actually says.</summary>
internal sealed class TextTerms
{
    private TextTerms(HashSet<string> all, HashSet<string> distinctive, VerbIntent intents, int contentWords, int totalWords)
    {
        All = all;
        Distinctive = distinctive;
        Intents = intents;
        ContentWords = contentWords;
        TotalWords = totalWords;
    }

    public static TextTerms Empty { get; } = new([], [], VerbIntent.None, 0, 0);

    /// <summary>Every canonical word except stop words, noise and vague words.</summary>
    public HashSet<string> All { get; }

    /// <summary>Words that name something specific; used for scope.</summary>
    public HashSet<string> Distinctive { get; }

    public VerbIntent Intents { get; }

    /// <summary>Words that carry meaning (not stop, vague or noise words).</summary>
    public int ContentWords { get; }

    public int TotalWords { get; }

    public static TextTerms Of(string? text) => Of([text]);

    public static TextTerms Of(ReadOnlySpan<string?> texts)
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        var distinctive = new HashSet<string>(StringComparer.Ordinal);
        var intents = VerbIntent.None;
        int content = 0, total = 0;
        Span<char> buffer = stackalloc char[64];
        Span<(int Start, int Length)> pieces = stackalloc (int, int)[8];
        foreach (var text in texts)
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            var span = text.AsSpan();
            var i = 0;
            while (i < span.Length)
            {
                while (i < span.Length && !char.IsLetterOrDigit(span[i]))
                {
                    i++;
                }

                var start = i;
                while (i < span.Length && char.IsLetterOrDigit(span[i]))
                {
                    i++;
                }

                var length = Math.Min(i - start, buffer.Length);
                if (length < 2)
                {
                    continue;
                }

                total++;
                var word = buffer[..length];
                span.Slice(start, length).ToLowerInvariant(word);
                if (Lexicon.IsStopWord(word))
                {
                    continue;
                }

                var count = Lexicon.TrySplit(word, pieces);
                if (count == 0)
                {
                    Add(word, all, distinctive, ref intents, ref content);
                    continue;
                }

                foreach (var (pieceStart, pieceLength) in pieces[..count])
                {
                    Add(word.Slice(pieceStart, pieceLength), all, distinctive, ref intents, ref content);
                }
            }
        }

        return new TextTerms(all, distinctive, intents, content, total);
    }

    private static void Add(ReadOnlySpan<char> word, HashSet<string> all, HashSet<string> distinctive, ref VerbIntent intents, ref int content)
    {
        var term = Lexicon.Lookup(word);
        intents |= term.Intent;
        if (term.Kind is TermKind.Noise or TermKind.Vague)
        {
            return;
        }

        content++;
        all.Add(term.Canonical);
        if (term.Kind == TermKind.Distinctive)
        {
            distinctive.Add(term.Canonical);
        }
    }

    /// <summary>The stable form stored in history: sorted canonical words joined by spaces.</summary>
    public string Normalised()
    {
        var words = All.ToArray();
        Array.Sort(words, StringComparer.Ordinal);
        return string.Join(' ', words);
    }

    /// <summary>Jaccard similarity of two normalised texts (0 when either is empty).</summary>
    public static double Similarity(string normalisedA, string normalisedB)
    {
        if (normalisedA.Length == 0 || normalisedB.Length == 0)
        {
            return 0;
        }

        // Both are sorted word lists: a merge counts the intersection without building sets.
        var a = normalisedA.AsSpan();
        var b = normalisedB.AsSpan();
        int common = 0, countA = 0, countB = 0;
        var ea = a.Split(' ');
        var eb = b.Split(' ');
        var hasA = ea.MoveNext();
        var hasB = eb.MoveNext();
        while (hasA && hasB)
        {
            var cmp = a[ea.Current].CompareTo(b[eb.Current], StringComparison.Ordinal);
            if (cmp == 0)
            {
                common++;
                countA++;
                countB++;
                hasA = ea.MoveNext();
                hasB = eb.MoveNext();
            }
            else if (cmp < 0)
            {
                countA++;
                hasA = ea.MoveNext();
            }
            else
            {
                countB++;
                hasB = eb.MoveNext();
            }
        }

        while (hasA)
        {
            countA++;
            hasA = ea.MoveNext();
        }

        while (hasB)
        {
            countB++;
            hasB = eb.MoveNext();
        }

        return (double)common / (countA + countB - common);
    }
}
