using System.Diagnostics;
using RAE.Grid.Benchmarks;
using RAE.Grid.Models.Runtime;
using static TorchSharp.torch;

// Per-stage forward time of the RAE pipeline at realistic widths (random weights, real model classes), with the
// FLOPs and GFLOP/s next to the machine's matmul ceiling measured in the same run.
BenchOptions options;
try { options = BenchOptions.Parse(args); }
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
if (options.Help) { Console.WriteLine(BenchOptions.Usage); return 0; }

var device = new ComputeOptions(options.Device).TorchDevice;
set_num_threads(options.Threads);
var total = Stopwatch.StartNew();
Console.WriteLine($"RAE.Grid.Benchmarks: device {options.Device} ({CpuName()}), {get_num_threads()} threads, " +
                  $"mode {options.Mode.ToString().ToLowerInvariant()}, warm-up {options.Warmup}, median of {options.Repeats}; " +
                  $"load average at start: {LoadAverage()}");

using var inference = inference_mode();
List<CeilingRow> MeasureCeilings() => options.Dtypes
    .Select(d => new CeilingRow(d, 2048, MatmulCeiling.Measure(new ComputeOptions(options.Device, d).ScalarType, device)))
    .ToList();
var startCeilings = MeasureCeilings();
Report.Ceilings("at start", startCeilings);
var timer = new ForwardTimer(options.Warmup, options.Repeats, device);

StageBench Build(string stage, string dtype, BenchMode mode)
{
    manual_seed(0);
    var compute = new ComputeOptions(options.Device, dtype);
    return stage switch
    {
        "encoder" => new EncoderStage(mode, compute),
        "decoder" => new DecoderStage(mode, compute),
        "ditdh-s" => new DiTDHStage("DiTDH-S", mode, compute),
        "ditdh-xl" => new DiTDHStage("DiTDH-XL", mode, compute),
        _ => throw new ArgumentException($"unknown stage {stage}"),
    };
}

var measured = new List<StageRow>();
foreach (var stage in options.Stages)
    foreach (var dtype in options.Dtypes)
    {
        using var bench = Build(stage, dtype, options.Mode);
        foreach (var batch in options.Batches)
        {
            var row = StageMeasurer.Measure(bench, batch, dtype, timer);
            measured.Add(row);
            Console.Error.WriteLine($"  measured {row.Stage} batch {row.Batch} {row.Dtype}: {row.MsPerForward:F1} ms");
        }
    }

// The ceiling again after the stages; the reference is the better of the two, so other load on a shared machine
// during one of them does not inflate the shares (the drift is printed so a noisy run is recognised).
var endCeilings = MeasureCeilings();
Report.Ceilings("at end", endCeilings);
var ceilings = startCeilings.Zip(endCeilings, (a, b) => a.GflopPerSecond >= b.GflopPerSecond ? a : b).ToList();
Report.CeilingDrift(startCeilings, endCeilings);
var ceilingOf = ceilings.ToDictionary(c => c.Dtype, c => c.GflopPerSecond);
var rows = measured.Select(r => r.WithCeiling(ceilingOf[r.Dtype])).ToList();

Report.StageTable(options.Mode, rows);
Report.Stages(rows);
if (options.Mode == BenchMode.Blocks) Report.Parts(rows);

// The closing note: which stage is furthest from the ceiling, and where its heaviest block loses the time.
BlockAnatomy? anatomy = null;
if (rows.Count > 0)
{
    var worst = Report.Furthest(rows).Worst;
    using var bench = Build(worst.Stage, worst.Dtype, BenchMode.Blocks);
    var heaviest = Enumerable.Range(0, bench.Blocks.Count).MaxBy(i => bench.Blocks[i].Depth * bench.Blocks[i].Shape.Flops);
    // At least 5 repeats: the anatomy compares small timings with each other.
    var anatomyTimer = new ForwardTimer(Math.Max(1, options.Warmup), Math.Max(5, options.Repeats), device);
    anatomy = BlockAnatomy.Measure(bench, heaviest, worst.Batch, worst.Dtype, worst.CeilingGflopPerSecond, anatomyTimer);
    Report.Closing(rows, anatomy);
}
if (options.JsonPath is not null) Report.WriteJson(options.JsonPath, options, startCeilings, endCeilings, rows, anatomy);
Console.WriteLine($"Total run time: {total.Elapsed.TotalSeconds:F0} s; load average at end: {LoadAverage()}");
return 0;

static string CpuName()
{
    try
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"));
        return line is null ? $"{Environment.ProcessorCount} processors" : line[(line.IndexOf(':') + 1)..].Trim();
    }
    catch (IOException) { return $"{Environment.ProcessorCount} processors"; }
}

// Other processes on the machine compete for the cores; the 1-minute load average says how much.
static string LoadAverage()
{
    try { return File.ReadAllText("/proc/loadavg").Split(' ')[0] + $" ({Environment.ProcessorCount} cores)"; }
    catch (IOException) { return "unknown"; }
}
