using System.Globalization;
using System.Text;

namespace AgentAccessBroker.Text;

/// <summary>
/// The one sanitiser for text the broker did not write (an agent's purpose, task descriptions, resource names, a
/// reviewer's reason, echoed input in error messages) before it reaches a terminal, a chat message or a web page.
/// </summary>
/// <remarks>
/// Security contract: the result contains no C0 or C1 control character (so no escape sequence: no clear screen, no
/// recolouring, no OSC 8 hyperlink, no cursor movement), no bidirectional override, embedding or isolate (so text
/// cannot be displayed in an order other than the one it is stored in: "Trojan Source"), no invisible formatting
/// character (zero-width spaces and joiners, word joiner, BOM, soft hyphen) and no lone surrogate. Control characters
/// are made visible as their Unicode control pictures (ESC becomes ␛, so a reader sees that something was there);
/// invisible formatting characters are removed; lone surrogates become U+FFFD. Line feeds and tabs are kept only when
/// the caller asks for multi-line text. Channel-specific escaping (chat markup, HTML, Spectre markup) comes after
/// this, in the channel.
/// </remarks>
public static class UntrustedText
{
    private const char Replacement = '\uFFFD';

    /// <summary>Returns <paramref name="text"/> safe to show; null becomes the empty string.</summary>
    /// <param name="keepLineBreaks">Keep <c>\n</c> and <c>\t</c> (a carriage return is always made visible).</param>
    public static string Sanitise(string? text, bool keepLineBreaks = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (IsClean(text, keepLineBreaks))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(c, text[i + 1]);
                if (!IsInvisible(codePoint))
                {
                    builder.Append(c).Append(text[i + 1]);
                }

                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                builder.Append(Replacement);
            }
            else if (keepLineBreaks && c is '\n' or '\t')
            {
                builder.Append(c);
            }
            else if (c < 0x20)
            {
                builder.Append((char)(0x2400 + c));
            }
            else if (c == 0x7F)
            {
                builder.Append('\u2421');
            }
            else if (c is >= '\u0080' and <= '\u009F')
            {
                builder.Append(Replacement);
            }
            else if (!IsInvisible(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// <see cref="Sanitise"/>d and cut to at most <paramref name="maxLength"/> characters (an ellipsis marks the cut),
    /// for echoing caller input inside an error or verification message; null becomes <c>(null)</c>.
    /// </summary>
    public static string Excerpt(string? text, int maxLength = 80)
    {
        if (text is null)
        {
            return "(null)";
        }

        var cut = text.Length > maxLength;
        var head = cut ? text[..(char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength)] : text;
        return cut ? Sanitise(head) + "…" : Sanitise(head);
    }

    /// <summary>True when <see cref="Sanitise"/> would change <paramref name="text"/>.</summary>
    public static bool NeedsSanitising(string? text, bool keepLineBreaks = false) =>
        !string.IsNullOrEmpty(text) && !IsClean(text, keepLineBreaks);

    private static bool IsClean(string text, bool keepLineBreaks)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= ' ' and < '\u007F')
            {
                continue;
            }

            if (keepLineBreaks && c is '\n' or '\t')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (IsInvisible(char.ConvertToUtf32(c, text[i + 1])))
                {
                    return false;
                }

                i++;
                continue;
            }

            if (char.IsSurrogate(c) || c < ' ' || c is >= '\u007F' and <= '\u009F' || IsInvisible(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Bidi controls (LRM, RLM, ALM, LRE..RLO, LRI..PDI), zero-width and invisible formatting characters, and the
    /// other format characters (Unicode category Cf: interlinear annotations, tag characters, shorthand controls).
    /// </summary>
    private static bool IsInvisible(int codePoint) =>
        codePoint is 0x00AD or 0x061C or 0x180E or (>= 0x200B and <= 0x200F) or (>= 0x202A and <= 0x202E) or (>= 0x2060 and <= 0x206F) or 0xFEFF
        || (codePoint <= 0xFFFF
            ? CharUnicodeInfo.GetUnicodeCategory((char)codePoint) == UnicodeCategory.Format
            : CharUnicodeInfo.GetUnicodeCategory(codePoint) == UnicodeCategory.Format);
}
