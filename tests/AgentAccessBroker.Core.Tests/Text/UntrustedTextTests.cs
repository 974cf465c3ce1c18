using AgentAccessBroker.Text;

namespace AgentAccessBroker.Core.Tests.Text;

public sealed class UntrustedTextTests
{
    public static TheoryData<string, string> Hostile => new()
    {
        { "clear screen", "ok\u001b[2J\u001b[Hgranted" },
        { "recolour", "\u001b[32mAPPROVED\u001b[0m" },
        { "OSC 8 hyperlink", "\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007" },
        { "8-bit CSI", "a\u009b2Jb" },
        { "carriage return overwrite", "read invoices\rDROP EVERYTHING" },
        { "backspace", "DROP\b\b\b\bREAD" },
        { "bidi override", "read \u202Einvoices\u202C" },
        { "bidi isolate", "read \u2067secret\u2069" },
        { "zero width", "in\u200Bvoi\u200Dces\uFEFF" },
        { "tag characters", "read \U000E0041\U000E0042" },
        { "lone surrogate", "bad \uD800 text" },
        { "DEL", "a\u007Fb" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Sanitise_HostileText_LeavesNoControlBidiOrInvisibleCharacter(string caseName, string text)
    {
        var clean = UntrustedText.Sanitise(text);

        Assert.False(UntrustedText.NeedsSanitising(clean), caseName);
        Assert.All(clean.EnumerateRunes(), r => Assert.False(
            System.Text.Rune.IsControl(r) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(r.Value) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.Surrogate,
            $"{caseName}: U+{r.Value:X4} left in"));
    }

    [Fact]
    public void Sanitise_EscapeSequence_IsMadeVisible()
    {
        Assert.Equal("\u241B[2Jok", UntrustedText.Sanitise("\u001b[2Jok"));
    }

    [Fact]
    public void Sanitise_BidiAndZeroWidth_AreRemoved()
    {
        Assert.Equal("read invoices", UntrustedText.Sanitise("read \u202Einvoi\u200Bces\u202C"));
    }

    [Fact]
    public void Sanitise_LineBreaks_KeptOnlyWhenAsked()
    {
        Assert.Equal("a\u240Ab\u2409c", UntrustedText.Sanitise("a\nb\tc"));
        Assert.Equal("a\nb\tc\u240D", UntrustedText.Sanitise("a\nb\tc\r", keepLineBreaks: true));
    }

    [Theory]
    [InlineData("Read invoices to find why totals drop")]
    [InlineData("Grüße, 東京, emoji 😀, Ελληνικά, עברית")]
    public void Sanitise_OrdinaryText_IsUnchanged(string text)
    {
        Assert.Same(text, UntrustedText.Sanitise(text));
    }

    [Fact]
    public void Sanitise_Null_IsEmpty()
    {
        Assert.Equal(string.Empty, UntrustedText.Sanitise(null));
    }

    [Fact]
    public void Excerpt_LongHostileText_IsCutAndDefused()
    {
        var text = "\u001b[2J" + new string('x', 100);

        var excerpt = UntrustedText.Excerpt(text, 10);

        Assert.Equal("\u241b[2Jxxxxxx…", excerpt);
    }

    [Fact]
    public void Excerpt_CutInsideASurrogatePair_KeepsNoLoneSurrogate()
    {
        var excerpt = UntrustedText.Excerpt("abc😀def", 4);

        Assert.Equal("abc…", excerpt);
    }

    [Fact]
    public void Excerpt_Null_SaysNull()
    {
        Assert.Equal("(null)", UntrustedText.Excerpt(null));
    }
}
