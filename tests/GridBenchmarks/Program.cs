using System.Diagnostics;
using Orleans.Runtime;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.GridBenchmarks;
using RAE.Grid.Models.Bundles;
using static TorchSharp.torch;

// Grid benchmarks: throughput vs in-process, dynamic batching on vs off, per-hop latency between silos, job size,
// bytes between silos per item (datapath), scale-out over rae-grid serve processes (scaleout), a soak of 200 small jobs
// beside a 10,000-item job on two of them (soak).
// Usage: see BenchOptions.Usage. Each benchmark prints a table and one "RATIO" line measured against a baseline of this run.

BenchOptions o;
try { o = BenchOptions.Parse(args); }
catch (ArgumentException e)
{
    if (e.Message.Length > 0) Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return e.Message.Length > 0 ? 2 : 0;
}

// One torch setting for the whole process: the in-process baselines and the silos' stages share it.
if (o.Threads is int threads) set_num_threads(threads);
var total = Stopwatch.StartNew();
var root = Directory.CreateTempSubdirectory("rae-gridbench-").FullName;
try
{
    Console.WriteLine($"RAE.Grid grid benchmarks — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, " +
                      $"torch {get_num_threads()} intra-op threads, load average {LoadAverage()}, .NET {Environment.Version}");
    // Large CPU tensors are fresh mmap'd pages on every op unless the launcher sets these (glibc and libtorch read
    // them from the process environment at start, so they cannot be set from here); batch size effects depend on them.
    Console.WriteLine("  allocator: " + string.Join(", ", new[] { "THP_MEM_ALLOC_ENABLE", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_" }
        .Select(v => $"{v}={Environment.GetEnvironmentVariable(v) ?? "(unset)"}")));
    if (LoadAverageNow() > Environment.ProcessorCount)
        Console.WriteLine($"  NOTE: the machine is busy (load {LoadAverageNow():F1} > {Environment.ProcessorCount} cores): expect noisy numbers; " +
                          "--threads 1 avoids multi-threaded torch ops stalling on descheduled threads");
    Console.WriteLine($"  options: --only {string.Join(",", o.Only)} --images {o.Images} --repeats {o.Repeats} --max-batch {o.MaxBatch} " +
                      $"--gen-images {o.GenImages} --steps {o.Steps} --hops {o.Hops} --wait-ms {o.WaitMs}" +
                      (o.Threads is int t ? $" --threads {t}" : "") +
                      (o.Runs("scaleout") ? $" --silos {string.Join(",", o.Silos)} --scale-items {o.ScaleItems} --fair-items {(o.FairItems > 0 ? o.FairItems : o.ScaleItems)} " +
                                            $"--big-items {o.BigItems} --small-items {o.SmallItems} --stand-in {string.Join(",", o.StandIn.Select(kv => $"{kv.Key}={kv.Value}"))}" : "") +
                      (o.Runs("soak") ? $" --soak-jobs {o.SoakJobs} --soak-items {o.SoakItems} --small-items {o.SmallItems} " +
                                        $"--stand-in {string.Join(",", o.StandIn.Select(kv => $"{kv.Key}={kv.Value}"))}" : ""));

    string? bundlePath = null;
    if (o.Runs("throughput") || o.Runs("batching") || o.Runs("datapath"))
    {
        if (o.Bundle is { } given)
        {
            bundlePath = given;
            Console.WriteLine($"  bundle: {given} ({RaeBundle.Load(given).Name})");
        }
        else
        {
            var bench = new BenchBundle(o.Width);
            var sw = Stopwatch.StartNew();
            bundlePath = bench.Create(Path.Combine(root, "bundle"));
            Console.WriteLine($"  bundle: generated bench-random-{o.Width} in {sw.ElapsedMilliseconds} ms — {bench.Describe()}");
        }
    }

    if (o.Runs("throughput")) await ThroughputBenchmark.RunAsync(o, bundlePath!, root);
    if (o.Runs("datapath")) await DataPathBenchmark.RunAsync(o, bundlePath!, root, throughputAlreadyRun: o.Runs("throughput"));
    if (o.Runs("scaleout")) await ScaleOutBenchmark.RunAsync(o, root);
    if (o.Runs("soak")) await SoakBenchmark.RunAsync(o, root);
    if (o.Runs("size")) await SizeBenchmark.RunAsync(o);
    if (o.Runs("size-one")) await SizeBenchmark.RunOneAsync(o, root);
    if (o.Runs("inputs")) await InputsBenchmark.RunAsync(o, root);

    if (o.Runs("batching") || o.Runs("hop"))
    {
        // Two real silos of one cluster on loopback TCP: A is the primary, B joins through A's silo port.
        var stages = o.Runs("batching") ? new[] { StageNames.Encoder } : [];
        await using var a = await BenchSilo.StartAsync(new BenchSilo.Spec(Path.Combine(root, "silo-a"), bundlePath, stages,
            MaxBatch: o.Images, MaxWaitMs: o.WaitMs));
        await using var b = await BenchSilo.StartAsync(new BenchSilo.Spec(Path.Combine(root, "silo-b"), bundlePath, stages,
            MaxBatch: 1, MaxWaitMs: o.WaitMs, PrimarySiloPort: a.SiloPort));
        await BenchSilo.WaitForMembersAsync([a, b]);
        if (o.Runs("batching")) await BatchingBenchmark.RunAsync(o, bundlePath!, on: a, off: b, onMaxBatch: o.Images);
        if (o.Runs("hop")) await HopBenchmark.RunAsync(o, a, b);
    }

    Console.WriteLine();
    Console.WriteLine($"done in {total.Elapsed.TotalSeconds:F0} s (load average now {LoadAverage()})");
    return 0;
}
finally
{
    try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
}

static double LoadAverageNow() =>
    double.TryParse(LoadAverage().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : 0;

static string LoadAverage()
{
    try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
    catch (IOException) { return "n/a"; }
}
