using System.Globalization;

namespace RAE.Grid.Benchmarks;

/// <summary>How a stage is timed: the whole forward, or one block of each kind scaled by depth (cheap on a CPU).</summary>
public enum BenchMode { Full, Blocks }

/// <summary>The command line of the benchmark program, parsed and validated.</summary>
public sealed record BenchOptions
{
    /// <summary>Stage names in the order they run.</summary>
    public static readonly string[] KnownStages = ["encoder", "decoder", "ditdh-s", "ditdh-xl"];

    public IReadOnlyList<string> Stages { get; init; } = KnownStages;
    public IReadOnlyList<int> Batches { get; init; } = [1, 8];
    public IReadOnlyList<string> Dtypes { get; init; } = ["fp32", "bf16"];
    public string Device { get; init; } = "cpu";
    public BenchMode Mode { get; init; } = BenchMode.Blocks;
    public int Repeats { get; init; } = 3;
    public int Warmup { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public string? JsonPath { get; init; }
    public bool Help { get; init; }

    public const string Usage = """
        RAE.Grid.Benchmarks: per-stage forward time, FLOPs and GFLOP/s next to the matmul ceiling of this machine.

        Options:
          --stages LIST    encoder,decoder,ditdh-s,ditdh-xl (default: all)
          --batches LIST   batch sizes (default: 1,8)
          --dtypes LIST    fp32,bf16 (default: both)
          --device NAME    cpu, cuda or cuda:N (default: cpu)
          --mode MODE      blocks: time one block of each kind and scale by depth (default);
                           full: time the whole forward
          --repeats N      timed runs per measurement, the median is reported (default: 3)
          --warmup N       untimed runs before them (default: 1)
          --threads N      torch intra-op threads (default: the processor count)
          --json PATH      also write the rows as JSON
          --help           this text
        """;

    /// <summary>Parses <c>--name value</c> and <c>--name=value</c>; errors name the option.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h") { o = o with { Help = true }; continue; }
            if (!arg.StartsWith("--")) throw new ArgumentException($"unexpected argument '{arg}' (see --help)");
            string name, value;
            var eq = arg.IndexOf('=');
            if (eq > 0) (name, value) = (arg[2..eq], arg[(eq + 1)..]);
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Count) throw new ArgumentException($"--{name} needs a value");
                value = args[++i];
            }
            o = name switch
            {
                "stages" => o with { Stages = ParseStages(value) },
                "batches" => o with { Batches = List(value, "batches").Select(s => PositiveInt(s, "batches")).ToArray() },
                "dtypes" => o with { Dtypes = List(value, "dtypes").Select(ParseDType).ToArray() },
                "device" => o with { Device = value },
                "mode" => o with { Mode = value.ToLowerInvariant() switch
                {
                    "full" => BenchMode.Full,
                    "blocks" => BenchMode.Blocks,
                    _ => throw new ArgumentException($"--mode must be full or blocks, got '{value}'"),
                } },
                "repeats" => o with { Repeats = PositiveInt(value, "repeats") },
                "warmup" => o with { Warmup = NonNegativeInt(value, "warmup") },
                "threads" => o with { Threads = PositiveInt(value, "threads") },
                "json" => o with { JsonPath = value },
                _ => throw new ArgumentException($"unknown option --{name} (see --help)"),
            };
        }
        return o;
    }

    private static string[] List(string value, string option)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new ArgumentException($"--{option} is empty");
        return items;
    }

    private static string[] ParseStages(string value)
    {
        var stages = List(value, "stages").Select(s => s.ToLowerInvariant()).ToArray();
        foreach (var s in stages)
            if (!KnownStages.Contains(s))
                throw new ArgumentException($"--stages: unknown stage '{s}' (known: {string.Join(", ", KnownStages)})");
        return stages;
    }

    private static string ParseDType(string s)
    {
        var d = s.ToLowerInvariant();
        if (d is not ("fp32" or "bf16")) throw new ArgumentException($"--dtypes: '{s}' is not fp32 or bf16");
        return d;
    }

    private static int PositiveInt(string s, string option) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
            : throw new ArgumentException($"--{option}: '{s}' is not a positive integer");

    private static int NonNegativeInt(string s, string option) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"--{option}: '{s}' is not a non-negative integer");
}
