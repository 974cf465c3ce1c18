namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>
/// A deliberately small suffix stripper (a few Porter steps): enough to fold "exports", "exported" and "exporting" into
/// one stem. Both the synonym table and incoming words pass through it, so the stems only need to agree with each other.
/// </summary>
internal static class Stemmer
{
    public static string Stem(string word)
    {
        if (word.Length <= 3)
        {
            return word;
        }

        var w = word.AsSpan();
        if (w.EndsWith("ies") && w.Length > 4)
        {
            return string.Concat(w[..^3], "y");
        }

        if (w.EndsWith("ied") && w.Length > 4)
        {
            return string.Concat(w[..^3], "y");
        }

        if (w.EndsWith("sses"))
        {
            return DropE(w[..^2]);
        }

        if (w.EndsWith("ing") && w.Length - 3 >= 3)
        {
            return DropE(Undouble(w[..^3]));
        }

        if (w.EndsWith("ed") && w.Length - 2 >= 3)
        {
            return DropE(Undouble(w[..^2]));
        }

        if (w.EndsWith("es") && (w[..^2].EndsWith("x") || w[..^2].EndsWith("ch") || w[..^2].EndsWith("sh") || w[..^2].EndsWith("ss") || w[..^2].EndsWith("z")))
        {
            return DropE(w[..^2]);
        }

        if (w.EndsWith("s") && !w.EndsWith("ss") && !w.EndsWith("us") && !w.EndsWith("is"))
        {
            return DropE(w[..^1]);
        }

        return DropE(w);
    }

    private static ReadOnlySpan<char> Undouble(ReadOnlySpan<char> stem)
    {
        if (stem.Length >= 3 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z') && !IsVowel(stem[^1]))
        {
            return stem[..^1];
        }

        return stem;
    }

    private static string DropE(ReadOnlySpan<char> stem) =>
        stem.Length > 4 && stem[^1] == 'e' ? stem[..^1].ToString() : stem.ToString();

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';
}
