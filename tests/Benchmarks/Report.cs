using System.Globalization;
using System.Text.Json;

namespace RAE.Grid.Benchmarks;

/// <summary>Console tables and the JSON file.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Ceilings(string when, IEnumerable<CeilingRow> ceilings)
    {
        Console.WriteLine($"Matmul ceiling {when} (square matmul, best of 5, this run):");
        foreach (var c in ceilings)
            Console.WriteLine(string.Format(Inv, "  {0,-5} {1}x{1}: {2,8:F1} GFLOP/s", c.Dtype, c.MatrixSize, c.GflopPerSecond));
        Console.WriteLine();
    }

    public static void StageTable(BenchMode mode, IEnumerable<StageRow> rows)
    {
        Console.WriteLine();
        Console.WriteLine(mode == BenchMode.Blocks
            ? "Per-stage forward (blocks mode: est. = depth-1 model forward + (depth-1) x each block, see breakdown below)"
            : "Per-stage forward (full mode: the whole forward timed)");
        Console.WriteLine(string.Format(Inv, "{0,-9} {1,5} {2,-5} {3,10} {4,9} {5,10} {6,9} {7,9} {8,7}  {9}",
            "stage", "batch", "dtype", "ms/fwd", "ms/img", "GFLOP/fwd", "GFLOP/s", "ceiling", "%ceil", "note"));
        foreach (var r in rows) StageLine(r);
        Console.WriteLine();
    }

    private static void StageLine(StageRow r) =>
        Console.WriteLine(string.Format(Inv, "{0,-9} {1,5} {2,-5} {3,10:F1} {4,9:F1} {5,10:F1} {6,9:F1} {7,9:F1} {8,6:F1}%  {9}",
            r.Stage, r.Batch, r.Dtype, r.MsPerForward, r.MsPerImage, r.Gflop, r.GflopPerSecond, r.CeilingGflopPerSecond,
            r.PercentOfCeiling, (r.Estimated ? "est." : "") + (r.OutputFinite ? "" : " NON-FINITE OUTPUT")));

    public static void Stages(IEnumerable<StageRow> rows)
    {
        Console.WriteLine("Stages:");
        foreach (var r in rows.DistinctBy(r => r.Stage)) Console.WriteLine($"  {r.Stage,-9} {r.Description}");
        Console.WriteLine();
    }

    public static void Parts(IReadOnlyList<StageRow> rows)
    {
        Console.WriteLine("Breakdown (ms per call; count = times it enters the stage estimate):");
        Console.WriteLine(string.Format(Inv, "{0,-9} {1,5} {2,-5} {3,-22} {4,5} {5,10} {6,10} {7,9} {8,7}",
            "stage", "batch", "dtype", "part", "count", "ms/call", "GFLOP", "GFLOP/s", "%ceil"));
        foreach (var r in rows)
            foreach (var p in r.Parts)
                Console.WriteLine(string.Format(Inv, "{0,-9} {1,5} {2,-5} {3,-22} {4,5} {5,10:F1} {6,10:F2} {7,9:F1} {8,6:F1}%",
                    r.Stage, r.Batch, r.Dtype, p.Part, p.Count, p.Ms, p.Gflop, p.GflopPerSecond, p.PercentOfCeiling));
        Console.WriteLine();
    }

    /// <summary>The stage with the lowest mean share of its dtype's ceiling, and its lowest row.</summary>
    public static (string Stage, double MeanPercent, StageRow Worst) Furthest(IReadOnlyList<StageRow> rows)
    {
        var g = rows.GroupBy(r => r.Stage).MinBy(g => g.Average(r => r.PercentOfCeiling))!;
        return (g.Key, g.Average(r => r.PercentOfCeiling), g.MinBy(r => r.PercentOfCeiling)!);
    }

    public static void Closing(IReadOnlyList<StageRow> rows, BlockAnatomy? anatomy)
    {
        var (stage, mean, worst) = Furthest(rows);
        Console.WriteLine("Mean share of the matmul ceiling per stage: " + string.Join(", ",
            rows.GroupBy(r => r.Stage).Select(g => string.Format(Inv, "{0} {1:F0}%", g.Key, g.Average(r => r.PercentOfCeiling)))));
        Console.WriteLine(string.Format(Inv,
            "Furthest from the matmul ceiling: {0} ({1}), {2:F0}% of the ceiling on average; lowest at batch {3} {4}: {5:F0}% ({6:F0} of {7:F0} GFLOP/s).",
            stage, worst.Description, mean, worst.Batch, worst.Dtype, worst.PercentOfCeiling, worst.GflopPerSecond,
            worst.CeilingGflopPerSecond));
        if (worst.Estimated && worst.Parts.Count > 1)
        {
            // The depth-1 forward holds one block of each kind; what it takes beyond them is the non-block work.
            var outside = Math.Max(0, worst.Parts[0].Ms - worst.Parts.Skip(1).Sum(p => p.Ms));
            Console.WriteLine(string.Format(Inv,
                "  Outside the blocks (embeddings, conditioning, final layers): {0:F1} ms of {1:F1} ms ({2:F0}%).",
                outside, worst.MsPerForward, 100 * outside / worst.MsPerForward));
        }
        if (anatomy is null) return;
        var a = anatomy;
        Console.WriteLine(string.Format(Inv,
            "  Its heaviest block ({0}, batch {1} {2}): {3:F1} ms = layout of its inputs {4:F1} ms + linear layers alone {5:F1} ms ({6:F0}% of ceiling) + SDPA alone {7:F1} ms ({8:F0}% of ceiling) + other ops {9:F1} ms ({10:F0}%).",
            a.Block, a.Batch, a.Dtype, a.BlockMs, a.LayoutMs, a.LinearMs, 100 * a.LinearGflop / (a.LinearMs / 1e3) / a.Ceiling,
            a.AttentionMs, 100 * a.AttentionGflop / (a.AttentionMs / 1e3) / a.Ceiling, a.OtherMs, 100 * a.OtherMs / a.BlockMs));
        Console.WriteLine("  Linear layers alone: " + string.Join(", ",
            a.Linears.Select(l => string.Format(Inv, "{0} {1:F1} ms ({2:F0}%)", l.Name, l.Ms, 100 * l.GflopPerSecond / a.Ceiling))));
        Console.WriteLine("  Main reason: " + a.Reason() + ".");
    }

    /// <summary>The reference ceiling per dtype and how far the end measurement drifted from the start one.</summary>
    public static void CeilingDrift(IReadOnlyList<CeilingRow> start, IReadOnlyList<CeilingRow> end)
    {
        foreach (var (a, b) in start.Zip(end))
        {
            var drift = 100 * (b.GflopPerSecond - a.GflopPerSecond) / a.GflopPerSecond;
            Console.WriteLine(string.Format(Inv, "Ceiling used for {0}: {1:F1} GFLOP/s (the better of start and end; end {2:+0;-0}% vs start){3}",
                b.Dtype, Math.Max(a.GflopPerSecond, b.GflopPerSecond), drift,
                Math.Abs(drift) > 15 ? "  <- the machine's load changed during the run: timings are noisy" : ""));
        }
    }

    public static void WriteJson(string path, BenchOptions options, IReadOnlyList<CeilingRow> startCeilings,
        IReadOnlyList<CeilingRow> endCeilings, IReadOnlyList<StageRow> rows, BlockAnatomy? anatomy)
    {
        var doc = new
        {
            options = new
            {
                options.Stages, options.Batches, options.Dtypes, options.Device, mode = options.Mode.ToString().ToLowerInvariant(),
                options.Repeats, options.Warmup, options.Threads,
            },
            startCeilings,
            endCeilings,
            rows,
            furthestFromCeiling = rows.Count == 0 ? null : Furthest(rows).Stage,
            anatomy,
        };
        var json = JsonSerializer.Serialize(doc, new JsonSerializerOptions
        {
            WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep ² and → readable
        });
        File.WriteAllText(path, json);
        Console.WriteLine($"Wrote {path}");
    }
}
