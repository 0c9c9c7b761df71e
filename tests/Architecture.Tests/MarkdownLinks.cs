using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RAE.Grid.Architecture.Tests;

/// <summary>
/// Checks the relative links of markdown files the way GitHub renders them: the target file (or folder) must exist,
/// and a <c>#fragment</c> into a markdown file must be the slug of one of its headings.
/// </summary>
public static partial class MarkdownLinks
{
    // Folders that hold no committed markdown: build outputs, tools installed by .ci/run, local job state.
    static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", "TestResults", "out", "artifacts"];

    // [text](target) and ![alt](target); the target may be <angle-bracketed> and followed by a "title".
    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex InlineLink();

    // [label]: target (a reference definition at the start of a line).
    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", RegexOptions.Multiline)]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^ {0,3}(```+|~~~+)")]
    private static partial Regex Fence();

    [GeneratedRegex(@"(`+)(.+?)\1")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();

    /// <summary>Every <c>*.md</c> under <paramref name="root"/>, skipping hidden and build folders.</summary>
    public static IReadOnlyList<string> FilesUnder(string root)
    {
        var files = new List<string>();
        var todo = new Stack<string>([root]);
        while (todo.Count > 0)
        {
            var dir = todo.Pop();
            files.AddRange(Directory.EnumerateFiles(dir, "*.md"));
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                var name = Path.GetFileName(sub);
                if (!name.StartsWith('.') && !SkippedFolders.Contains(name)) todo.Push(sub);
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>The broken relative links of <paramref name="files"/>, each as <c>file:line: target (why)</c>, paths relative to <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> BrokenLinks(string root, IEnumerable<string> files)
    {
        var anchorsByFile = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var broken = new List<string>();
        foreach (var file in files)
        {
            var lines = ProseLines(File.ReadAllLines(file), blankCodeSpans: true);
            for (var i = 0; i < lines.Count; i++)
            {
                var targets = InlineLink().Matches(lines[i]).Select(m => m.Groups[1].Value)
                    .Concat(ReferenceDefinition().Matches(lines[i]).Select(m => m.Groups[1].Value));
                foreach (var raw in targets)
                {
                    var why = Problem(file, raw.Trim('<', '>'), anchorsByFile);
                    if (why is not null)
                        broken.Add($"{Path.GetRelativePath(root, file).Replace('\\', '/')}:{i + 1}: {raw} ({why})");
                }
            }
        }
        return broken;
    }

    /// <summary>The anchors GitHub gives the headings of a markdown text: slugs, repeats numbered <c>-1</c>, <c>-2</c>, ….</summary>
    public static HashSet<string> Anchors(IEnumerable<string> markdownLines)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in ProseLines(markdownLines, blankCodeSpans: false))
        {
            var m = Heading().Match(line);
            if (!m.Success) continue;
            var slug = Slug(m.Groups[2].Value);
            var n = counts.GetValueOrDefault(slug);
            counts[slug] = n + 1;
            anchors.Add(n == 0 ? slug : $"{slug}-{n}");
        }
        return anchors;
    }

    /// <summary>
    /// GitHub's heading slug (github-slugger): the rendered text lowercased, letters, numbers, marks, '-' and '_'
    /// kept, each space made '-', everything else dropped.
    /// </summary>
    public static string Slug(string headingMarkdown)
    {
        // The rendered text: links become their text, code spans and emphasis markers go.
        var text = Regex.Replace(headingMarkdown, @"!?\[([^\]]*)\]\([^)]*\)", "$1").Replace("`", "").Replace("*", "");
        var slug = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            var category = char.GetUnicodeCategory(c);
            if (c == ' ') slug.Append('-');
            else if (c is '-' or '_' || char.IsLetter(c) || category is UnicodeCategory.DecimalDigitNumber
                     or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or UnicodeCategory.NonSpacingMark
                     or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
                slug.Append(c);
        }
        return slug.ToString();
    }

    static string? Problem(string file, string target, Dictionary<string, HashSet<string>> anchorsByFile)
    {
        if (target.Length == 0) return "empty target";
        if (Scheme().IsMatch(target) || target.StartsWith("//")) return null; // http:, https:, mailto: — not ours to check offline
        var hash = target.IndexOf('#');
        var pathPart = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        var fragment = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
        if (pathPart.Contains('?')) pathPart = pathPart[..pathPart.IndexOf('?')];

        var resolved = pathPart.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, pathPart));
        if (!File.Exists(resolved)) return Directory.Exists(resolved) && fragment is null ? null : "no such file";
        if (fragment is null || !resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase)) return null;

        if (!anchorsByFile.TryGetValue(resolved, out var anchors))
            anchorsByFile[resolved] = anchors = Anchors(File.ReadAllLines(resolved));
        return anchors.Contains(fragment) ? null : "no such heading";
    }

    // The lines outside fenced code blocks (which hold no links or headings), optionally with inline code spans blanked.
    static List<string> ProseLines(IEnumerable<string> lines, bool blankCodeSpans)
    {
        var prose = new List<string>();
        string? fence = null;
        foreach (var line in lines)
        {
            var m = Fence().Match(line);
            if (fence is null && m.Success) { fence = m.Groups[1].Value; prose.Add(""); continue; }
            if (fence is not null)
            {
                if (m.Success && m.Groups[1].Value[0] == fence[0] && m.Groups[1].Value.Length >= fence.Length) fence = null;
                prose.Add("");
                continue;
            }
            prose.Add(blankCodeSpans ? CodeSpan().Replace(line, span => new string(' ', span.Length)) : line);
        }
        return prose;
    }
}
