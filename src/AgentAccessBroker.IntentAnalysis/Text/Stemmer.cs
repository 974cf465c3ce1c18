namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>
/// A deliberately small suffix stripper (a few Porter steps): enough to fold "exports", "exported" and "exporting" into
/// one stem. Both the synonym table and incoming words pass through it, so the stems only need to agree with each other.
/// </summary>
internal static class Stemmer
{
    public static string Stem(string word)
    {
        Span<char> buffer = stackalloc char[word.Length + 1];
        return new string(buffer[..Stem(word, buffer)]);
    }

    /// <summary>Writes the stem of <paramref name="word"/> into <paramref name="stem"/> (at least one longer) and returns its length.</summary>
    public static int Stem(ReadOnlySpan<char> word, Span<char> stem)
    {
        if (word.Length <= 3)
        {
            word.CopyTo(stem);
            return word.Length;
        }

        if ((word.EndsWith("ies") || word.EndsWith("ied")) && word.Length > 4)
        {
            word[..^3].CopyTo(stem);
            stem[word.Length - 3] = 'y';
            return word.Length - 2;
        }

        ReadOnlySpan<char> cut;
        if (word.EndsWith("sses"))
        {
            cut = word[..^2];
        }
        else if (word.EndsWith("ing") && word.Length - 3 >= 3)
        {
            cut = Undouble(word[..^3]);
        }
        else if (word.EndsWith("ed") && word.Length - 2 >= 3)
        {
            cut = Undouble(word[..^2]);
        }
        else if (word.EndsWith("es") && (word[..^2].EndsWith("x") || word[..^2].EndsWith("ch") || word[..^2].EndsWith("sh") || word[..^2].EndsWith("ss") || word[..^2].EndsWith("z")))
        {
            cut = word[..^2];
        }
        else if (word.EndsWith("s") && !word.EndsWith("ss") && !word.EndsWith("us") && !word.EndsWith("is"))
        {
            cut = word[..^1];
        }
        else
        {
            cut = word;
        }

        if (cut.Length > 4 && cut[^1] == 'e')
        {
            cut = cut[..^1];
        }

        cut.CopyTo(stem);
        return cut.Length;
    }

    private static ReadOnlySpan<char> Undouble(ReadOnlySpan<char> stem)
    {
        if (stem.Length >= 3 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z') && !IsVowel(stem[^1]))
        {
            return stem[..^1];
        }

        return stem;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';
}
