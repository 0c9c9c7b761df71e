namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// Command line: <c>[--only throughput|batching|hop|size|datapath|scaleout|soak] [--images N] [--repeats R] [--bundle PATH] [--width W]
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

    /// <summary>Job sizes of the size benchmark (items).</summary>
    public int[] Sizes { get; init; } = [10_000, 100_000, 1_000_000];
    /// <summary>Images of the inputs benchmark.</summary>
    public int InputImages { get; init; } = 10_000;
    /// <summary>Items of one size-benchmark job (the child process's --items).</summary>
    public int Items { get; init; } = 10_000;

    /// <summary>Silo counts of the scale-out benchmark (ascending; the fairness runs use the largest).</summary>
    public int[] Silos { get; init; } = [1, 2, 4];
    /// <summary>Items of the scale-out job (at the default stand-in times one silo takes about 50 s).</summary>
    public int ScaleItems { get; init; } = 1000;
    /// <summary>Items of each of the two equal jobs of the scale-out fairness run (0: the scale-out job's size).</summary>
    public int FairItems { get; init; }
    /// <summary>The large job of the starvation check (it runs only until the small jobs are measured).</summary>
    public int BigItems { get; init; } = 1_000_000;
    /// <summary>The small job of the starvation check.</summary>
    public int SmallItems { get; init; } = 10;
    /// <summary>Stand-in service time per batch of the scale-out silos' stages (ms), e.g. diffusion=400,decoder=50.</summary>
    public Dictionary<string, int> StandIn { get; init; } = new() { ["diffusion"] = 400, ["decoder"] = 50 };

    /// <summary>Small jobs submitted at once by the soak benchmark (each of <see cref="SmallItems"/> items).</summary>
    public int SoakJobs { get; init; } = 200;
    /// <summary>Items of the soak benchmark's large job.</summary>
    public int SoakItems { get; init; } = 10_000;

    /// <summary>Silo settings for the size benchmark's silo (<c>--set Grid:Pipeline:PartitionSize=500</c>, repeatable).</summary>
    public Dictionary<string, string?> Settings { get; init; } = new();

    public bool Runs(string name) => Only.Contains(name);

    public const string Usage =
        "usage: dotnet run -c Release --project tests/GridBenchmarks -- [--only throughput|batching|hop|size|inputs|datapath|scaleout|soak[,...]] [--images N] [--repeats R]\n" +
        "       [--sizes N,N,... (size: job sizes, default 10000,100000,1000000)] [--input-images N (inputs, default 10000)]\n" +
        "       [--silos 1,2,4] [--scale-items N] [--fair-items N] [--big-items N] [--small-items N] [--stand-in diffusion=400,decoder=50] (scaleout, soak)\n" +
        "       [--soak-jobs N (default 200)] [--soak-items N (default 10000)] [--small-items N (default 10)] (soak)\n" +
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
                "--items" => o with { Items = Int(10) },
                "--input-images" => o with { InputImages = Int(1) },
                "--set" => o with { Settings = new Dictionary<string, string?>(o.Settings) { [Value().Split('=')[0]] = args[i].Contains('=') ? args[i][(args[i].IndexOf('=') + 1)..] : throw new ArgumentException($"--set: '{args[i]}' is not Key=Value") } },
                "--repeats" => o with { Repeats = Int(1) },
                "--bundle" => o with { Bundle = Path.GetFullPath(Value()) },
                "--width" => o with { Width = Int(128) },
                "--max-batch" => o with { MaxBatch = Int(1) },
                "--steps" => o with { Steps = Int(1) },
                "--sizes" => o with { Sizes = Value().Split(',').Select(v => int.TryParse(v, out var n) && n >= 10 ? n : throw new ArgumentException($"--sizes: '{v}' is not an integer >= 10")).ToArray() },
                "--silos" => o with { Silos = IntList(Value(), "--silos", 1).Order().ToArray() },
                "--scale-items" => o with { ScaleItems = Int(1) },
                "--fair-items" => o with { FairItems = Int(1) },
                "--big-items" => o with { BigItems = Int(1) },
                "--small-items" => o with { SmallItems = Int(1) },
                "--soak-jobs" => o with { SoakJobs = Int(1) },
                "--soak-items" => o with { SoakItems = Int(1) },
                "--stand-in" => o with { StandIn = ParseStandIn(Value()) },
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

    static int[] IntList(string v, string name, int min) =>
        v.Split(',').Select(x => int.TryParse(x, out var n) && n >= min ? n : throw new ArgumentException($"{name}: '{x}' is not an integer >= {min}")).ToArray();

    static Dictionary<string, int> ParseStandIn(string v) =>
        v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(pair =>
        {
            var parts = pair.Split('=');
            return parts.Length == 2 && parts[0] is "encoder" or "decoder" or "diffusion" && int.TryParse(parts[1], out var ms) && ms >= 0
                ? (Stage: parts[0], Ms: ms)
                : throw new ArgumentException($"--stand-in: '{pair}' is not stage=ms (stage: encoder, decoder, diffusion)");
        }).ToDictionary(p => p.Stage, p => p.Ms);

    static string[] ParseOnly(string v)
    {
        var names = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var n in names)
            if (n is not ("throughput" or "batching" or "hop" or "size" or "size-one" or "inputs" or "datapath" or "scaleout" or "soak"))
                throw new ArgumentException($"--only: '{n}' is not one of throughput, batching, hop, size, inputs, datapath, scaleout, soak");
        return names;
    }
}
