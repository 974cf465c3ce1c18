using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AgentAccessBroker.Policy.Loading;

/// <summary>
/// Turns YAML text into a <see cref="YamlTreeNode"/> tree from the parser's events. Built by hand rather than with
/// YamlDotNet's representation model because that model throws on a duplicate key, which would hide every later problem.
/// </summary>
internal sealed partial class YamlTreeReader
{
    private readonly Dictionary<string, YamlTreeNode> _anchors = new(StringComparer.Ordinal);
    private readonly ProblemSink _problems;
    private readonly IParser _parser;

    private YamlTreeReader(string text, ProblemSink problems)
    {
        _parser = new GuardedParser(new Parser(new StringReader(text)));
        _problems = problems;
    }

    /// <summary>Returns the single document's root, or null after reporting why there is none.</summary>
    public static YamlTreeNode? Read(string text, ProblemSink problems)
    {
        var reader = new YamlTreeReader(text, problems);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException ex)
        {
            problems.Report(At(ex.Start), PolicyProblemCodes.YamlSyntax, StripLocation(ex.Message));
            return null;
        }
    }

    private YamlTreeNode? ReadStream()
    {
        _parser.Consume<StreamStart>();
        if (_parser.Accept<StreamEnd>(out var emptyEnd))
        {
            _problems.Report(At(emptyEnd.Start), PolicyProblemCodes.DocumentShape, "the file holds no YAML document");
            return null;
        }

        _parser.Consume<DocumentStart>();
        var root = ReadNode();
        _parser.Consume<DocumentEnd>();
        if (_parser.Accept<DocumentStart>(out var second))
        {
            _problems.Report(At(second.Start), PolicyProblemCodes.DocumentShape, "a policy file holds exactly one YAML document; remove the second one");
        }

        return root;
    }

    private YamlTreeNode ReadNode()
    {
        if (_parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (_anchors.TryGetValue(alias.Value.Value, out var target))
            {
                return target;
            }

            throw new YamlException(alias.Start, alias.End, $"alias '*{alias.Value.Value}' refers to no anchor defined before it");
        }

        YamlTreeNode node;
        AnchorName anchor;
        if (_parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor;
            node = new YamlTreeScalar(At(scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
        }
        else if (_parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            anchor = sequenceStart.Anchor;
            var items = new List<YamlTreeNode>();
            while (!_parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode());
            }

            node = new YamlTreeSequence(At(sequenceStart.Start), items);
        }
        else
        {
            var mappingStart = _parser.Consume<MappingStart>();
            anchor = mappingStart.Anchor;
            node = new YamlTreeMapping(At(mappingStart.Start), ReadEntries());
        }

        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
        }

        return node;
    }

    private List<KeyValuePair<YamlTreeScalar, YamlTreeNode>> ReadEntries()
    {
        var entries = new List<KeyValuePair<YamlTreeScalar, YamlTreeNode>>();
        var seen = new Dictionary<string, SourceSpan>(StringComparer.Ordinal);
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var key = ReadNode();
            var value = ReadNode();
            if (key is not YamlTreeScalar scalarKey)
            {
                _problems.Report(key.At, PolicyProblemCodes.WrongType, $"a key must be a plain name, not {key.Kind}");
                continue;
            }

            if (seen.TryGetValue(scalarKey.Value, out var first))
            {
                _problems.Report(
                    scalarKey.At,
                    PolicyProblemCodes.DuplicateKey,
                    $"key '{scalarKey.Value}' is already given on line {first.Line}; only the first one is used");
                continue;
            }

            seen.Add(scalarKey.Value, scalarKey.At);
            entries.Add(new(scalarKey, value));
        }

        return entries;
    }

    private static SourceSpan At(Mark mark) => new((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    // YamlException prefixes its message with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the problem already carries the location.
    private static string StripLocation(string message) => LocationPrefix().Replace(message, string.Empty);

    /// <summary>
    /// YamlDotNet's scanner throws a bare <see cref="InvalidOperationException"/> on some malformed input (an unclosed
    /// flow sequence followed by less-indented lines); turn it into the syntax error it is, at the last good position.
    /// </summary>
    private sealed class GuardedParser(IParser inner) : IParser
    {
        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            try
            {
                return inner.MoveNext();
            }
            catch (InvalidOperationException ex)
            {
                var at = inner.Current?.End ?? Mark.Empty;
                throw new YamlException(at, at, "malformed YAML after this point (look for an unclosed [, { or quote)", ex);
            }
        }
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex LocationPrefix();
}
