using System.Globalization;

namespace RAE.Grid.GridBenchmarks;

/// <summary>Medians, percentiles and a plain fixed-width table (the output is meant to be pasted into reports).</summary>
public static class Report
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    /// <summary>Nearest-rank percentile (no interpolation: every value printed was measured).</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string F(double v, int decimals = 2) => v.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public static void Header(string title)
    {
        Console.WriteLine();
        Console.WriteLine($"== {title} ==");
    }

    public static void Line(string text) => Console.WriteLine(text);

    /// <summary>Prints rows under a header, columns padded to their widest cell (first column left-aligned).</summary>
    public static void Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        string Row(string[] r) => "  " + string.Join("  ", r.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])));
        Console.WriteLine(Row(header));
        Console.WriteLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in all.Skip(1)) Console.WriteLine(Row(r));
    }

    /// <summary>The one ratio line of a benchmark.</summary>
    public static void Ratio(string text) => Console.WriteLine($"RATIO {text}");
}
