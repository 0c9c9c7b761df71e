namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// Command line: <c>[--only throughput|batching|hop] [--images N] [--repeats R] [--bundle PATH] [--width W]
/// [--max-batch B] [--gen-images G] [--steps S] [--hops K] [--wait-ms MS] [--threads T]</c>. Every benchmark prints the values it ran with.
/// </summary>
public sealed record BenchOptions
{
    public string[] Only { get; init; } = ["throughput", "batching", "hop"];
    /// <summary>Images per throughput pass (and concurrent requests of the batching benchmark).</summary>
    public int Images { get; init; } = 32;
    /// <summary>Timed passes per configuration; the median is reported.</summary>
    public int Repeats { get; init; } = 3;
    /// <summary>An existing bundle JSON instead of the generated benchmark bundle.</summary>
    public string? Bundle { get; init; }
    /// <summary>Width of the generated benchmark bundle.</summary>
    public int Width { get; init; } = 384;
    /// <summary>Stage MaxBatch of the throughput grid (and the in-process batch size).</summary>
    public int MaxBatch { get; init; } = 8;
    /// <summary>Samples per generation pass (a diffusion solve costs far more than a reconstruction).</summary>
    public int GenImages { get; init; } = 16;
    /// <summary>ODE steps of the generation comparison.</summary>
    public int Steps { get; init; } = 2;
    /// <summary>Timed round trips per hop configuration.</summary>
    public int Hops { get; init; } = 200;
    /// <summary>MaxWaitMs of the batching-on configuration.</summary>
    public int WaitMs { get; init; } = 20;
    /// <summary>torch intra-op threads for the whole process (null: torch's default, one per core).</summary>
    public int? Threads { get; init; }

    public bool Runs(string name) => Only.Contains(name);

    public const string Usage =
        "usage: dotnet run -c Release --project tests/GridBenchmarks -- [--only throughput|batching|hop[,...]] [--images N] [--repeats R]\n" +
        "       [--bundle PATH] [--width W] [--max-batch B] [--gen-images G (0: skip generation)] [--steps S] [--hops K] [--wait-ms MS] [--threads T]";

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(int min)
            {
                var name = args[i];
                var v = Value();
                return int.TryParse(v, out var n) && n >= min ? n : throw new ArgumentException($"{name}: '{v}' is not an integer >= {min}");
            }
            o = args[i] switch
            {
                "--only" => o with { Only = ParseOnly(Value()) },
                "--images" => o with { Images = Int(1) },
                "--repeats" => o with { Repeats = Int(1) },
                "--bundle" => o with { Bundle = Path.GetFullPath(Value()) },
                "--width" => o with { Width = Int(128) },
                "--max-batch" => o with { MaxBatch = Int(1) },
                "--steps" => o with { Steps = Int(2) },
                "--gen-images" => o with { GenImages = Int(0) },
                "--hops" => o with { Hops = Int(10) },
                "--wait-ms" => o with { WaitMs = Int(0) },
                "--threads" => o with { Threads = Int(1) },
                "-h" or "--help" => throw new ArgumentException(""),
                var other => throw new ArgumentException($"unknown argument '{other}'"),
            };
        }
        if (o.Bundle is { } b && !File.Exists(b)) throw new ArgumentException($"--bundle: no such file {b}");
        return o;
    }

    static string[] ParseOnly(string v)
    {
        var names = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var n in names)
            if (n is not ("throughput" or "batching" or "hop")) throw new ArgumentException($"--only: '{n}' is not one of throughput, batching, hop");
        return names;
    }
}
