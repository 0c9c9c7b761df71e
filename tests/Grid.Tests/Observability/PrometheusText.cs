using System.Globalization;
using System.Text.RegularExpressions;

namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>A scrape of a Prometheus endpoint, parsed (text format 0.0.4: <c>name{label="v",...} value [timestamp]</c>).</summary>
public sealed partial class PrometheusText
{
    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$")]
    private static partial Regex Line();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();

    public PrometheusText(string text)
    {
        Text = text;
        Samples = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => Line().Match(l)).Where(m => m.Success)
            .Select(m => new PrometheusSample(m.Groups[1].Value,
                Label().Matches(m.Groups[2].Value).ToDictionary(x => x.Groups[1].Value, x => x.Groups[2].Value),
                double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The scrape as returned.</summary>
    public string Text { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Samples of <paramref name="name"/> whose labels include every one of <paramref name="labels"/> ("key=value").</summary>
    public IReadOnlyList<PrometheusSample> Of(string name, params string[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => l.Split('=', 2) is [var k, var v] && s.Labels.TryGetValue(k, out var x) && x == v)).ToList();

    /// <summary>The one sample of <paramref name="name"/> with <paramref name="labels"/>, failing with the scrape's grid lines otherwise.</summary>
    public double Value(string name, params string[] labels)
    {
        var found = Of(name, labels);
        Assert.True(found.Count == 1, $"{found.Count} samples of {name} {{{string.Join(",", labels)}}} in the scrape:\n{Excerpt()}");
        return found[0].Value;
    }

    /// <summary>The scrape's raegrid_ lines (what the closing note prints).</summary>
    public string Excerpt(string prefix = "raegrid_") =>
        string.Join("\n", Text.Split('\n').Where(l => l.StartsWith(prefix) || l.StartsWith($"# TYPE {prefix}")));
}
