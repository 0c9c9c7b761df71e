using System.Collections.Concurrent;
using System.Diagnostics;
using RAE.Grid.Client;
using RAE.Grid.Contracts;
using RAE.Grid.Grid.Tests.MultiProcess;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// Soak: on two <c>rae-grid serve</c> processes (<see cref="ServeCluster"/>: Redis membership and state, one local
/// store folder), one large generation job (<see cref="BenchOptions.SoakItems"/>, default 10,000 items) runs while
/// <see cref="BenchOptions.SoakJobs"/> (default 200) small jobs of <see cref="BenchOptions.SmallItems"/> items are
/// submitted all at once beside it. Diffusion and decoder are service-time stand-ins (<c>Grid:StandIn</c>), so two cores
/// can carry the load. Prints completion (jobs and items), failures (target 0), each silo's peak RSS (VmHWM, and the
/// largest VmRSS sampled every second) and the small jobs' time to first output (submit → their first output file in
/// the store), p50 and p99.
/// </summary>
public static class SoakBenchmark
{
    const string BundleId = "bench";
    static readonly string[] Stages = ["diffusion", "decoder"];
    /// <summary>Longest the whole soak may run before it is reported unfinished.</summary>
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(40);

    public static async Task RunAsync(BenchOptions o, string root)
    {
        var bundle = o.Bundle ?? Repository.DefaultBundle();
        var repo = GridCli.RepositoryRoot();
        var cli = await GridCli.EnsureBuiltAsync(repo, TimeSpan.FromMinutes(5));
        const int silos = 2;
        Report.Header($"soak: {o.SoakJobs} concurrent {o.SmallItems}-item jobs beside one {o.SoakItems:N0}-item job on {silos} `rae-grid serve` processes");
        Report.Line($"  STAND-IN stages: {string.Join(", ", o.StandIn.Select(kv => $"{kv.Key} {kv.Value} ms per batch"))} (Grid:StandIn), MaxBatch {o.MaxBatch}, " +
                    "QueueCapacity 4096; no forward pass runs and outputs are flat synthetic PNGs (not model outputs), so 2 cores carry the load;");
        Report.Line("  what is soaked is the grid: jobs, partitions, windows, batching, Redis state, the store. Redis membership and state, one local store folder.");

        var clock = Stopwatch.StartNew();
        await using var cluster = await ServeCluster.StartAsync(cli, Path.Combine(root, "soak"), silos, Settings(o, bundle));
        Report.Line($"  {silos} silos active in {clock.Elapsed.TotalSeconds:F1} s");
        using var rss = new RssSampler(cluster.Silos.Select(s => s.Process).ToList());
        var warm = GridClient.NewJobId() + "-warm";
        await cluster.Grid.SubmitAsync(Job(4 * o.MaxBatch * silos, 0), warm);
        await WaitFinishedAsync(cluster.Grid, warm, Limit);

        clock.Restart();
        var bigId = GridClient.NewJobId() + "-big";
        var big = await cluster.Grid.SubmitAsync(Job(o.SoakItems, 1), bigId);
        while (big.Done == 0 && !big.IsFinished && clock.Elapsed < Limit) { await Task.Delay(200); big = await cluster.Grid.GetStatusAsync(bigId); }
        Report.Line($"  the {o.SoakItems:N0}-item job runs ({big.Done} done at {clock.Elapsed.TotalSeconds:F1} s); submitting {o.SoakJobs} small jobs at once");

        // Every small job's submit and its first output file, watched in the store folder (no status polling storm).
        var ids = Enumerable.Range(0, o.SoakJobs).Select(i => $"{GridClient.NewJobId()}-s{i:D3}").ToArray();
        var submitted = new double[ids.Length];
        var firstOutput = new ConcurrentDictionary<int, double>();
        var submitErrors = new ConcurrentBag<string>();
        var smallClock = Stopwatch.StartNew();
        var submits = ids.Select(async (id, i) =>
        {
            submitted[i] = smallClock.Elapsed.TotalSeconds;
            try { await cluster.Grid.SubmitAsync(Job(o.SmallItems, 100 + i), id); }
            catch (Exception e) { submitErrors.Add($"{id}: {e.GetType().Name}: {e.Message}"); }
        }).ToList();
        using var watch = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watch.IsCancellationRequested && firstOutput.Count < ids.Length)
            {
                for (var i = 0; i < ids.Length; i++)
                {
                    if (firstOutput.ContainsKey(i)) continue;
                    var dir = Path.Combine(cluster.StorePath, "jobs", ids[i]);
                    if (Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.png").Any(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith("contact-sheet.png")))
                        firstOutput.TryAdd(i, smallClock.Elapsed.TotalSeconds);
                }
                await Task.Delay(50);
            }
        });
        await Task.WhenAll(submits);
        var submitSeconds = smallClock.Elapsed.TotalSeconds;

        // Completion: every small job, then the big one (statuses every 2 s).
        var finished = new Dictionary<string, JobStatus>();
        var progress = Stopwatch.StartNew();
        while (clock.Elapsed < Limit)
        {
            if (progress.Elapsed > TimeSpan.FromSeconds(30))
            {
                progress.Restart();
                Report.Line($"    {smallClock.Elapsed.TotalSeconds:F0} s: {finished.Count}/{ids.Length} small jobs finished, {firstOutput.Count} with an output; " +
                            $"big job {(await cluster.Grid.GetStatusAsync(bigId)).Done:N0} done");
            }
            foreach (var id in ids.Where(id => !finished.ContainsKey(id)).ToList())
            {
                try { if (await cluster.Grid.GetStatusAsync(id) is { IsFinished: true } s) finished[id] = s; }
                catch (Exception e) { submitErrors.Add($"{id}: status: {e.Message}"); finished[id] = JobStatus.Unknown(id); }
            }
            if (finished.Count == ids.Length) break;
            await Task.Delay(2000);
        }
        var smallSeconds = smallClock.Elapsed.TotalSeconds;
        var bigDoneWhenSmallFinished = (await cluster.Grid.GetStatusAsync(bigId)).Done;
        watch.Cancel();
        await watcher;
        Report.Line($"    {smallClock.Elapsed.TotalSeconds:F0} s: every small job finished; waiting for the big job ({bigDoneWhenSmallFinished:N0} done)");
        big = await WaitFinishedAsync(cluster.Grid, bigId, Limit - clock.Elapsed);
        var bigSeconds = clock.Elapsed.TotalSeconds;

        var small = ids.Select(id => finished.GetValueOrDefault(id)).ToList();
        var jobsCompleted = small.Count(s => s?.State == JobState.Completed) + (big.State == JobState.Completed ? 1 : 0);
        var itemsDone = small.Sum(s => s?.Done ?? 0) + big.Done;
        var itemsTotal = o.SoakJobs * o.SmallItems + o.SoakItems;
        var itemsFailed = small.Sum(s => s?.Failed ?? 0) + big.Failed;
        var jobsNotCompleted = o.SoakJobs + 1 - jobsCompleted;
        var ttfo = firstOutput.Select(kv => kv.Value - submitted[kv.Key]).Order().ToList();
        var peaks = rss.Peaks();

        Report.Table(["what", "value"], new List<string[]>
        {
            new[] { "jobs completed", $"{jobsCompleted} of {o.SoakJobs + 1}" },
            new[] { "items done", $"{itemsDone:N0} of {itemsTotal:N0}" },
            new[] { "failures (target 0)", $"{jobsNotCompleted} jobs not Completed, {itemsFailed} items failed, {submitErrors.Count} submit/status errors" },
            new[] { "small jobs: submit all", $"{submitSeconds:F1} s" },
            new[] { "small jobs: all finished", $"{smallSeconds:F1} s after the first submit (big job then at {bigDoneWhenSmallFinished:N0} done)" },
            new[] { "small jobs: time to first output p50 / p99 / max", ttfo.Count == 0 ? "none seen" : $"{Report.F(Percentile(ttfo, 0.5))} / {Report.F(Percentile(ttfo, 0.99))} / {Report.F(ttfo[^1])} s ({ttfo.Count} jobs)" },
            new[] { $"{o.SoakItems:N0}-item job", $"{big.State} in {bigSeconds:F1} s ({big.Done:N0} done, {big.Failed} failed)" },
        }.Concat(peaks.Select((p, i) => new[] { $"{cluster.Silos[i].Name} peak RSS", $"{p.HighWaterMb:F0} MB VmHWM (largest VmRSS sampled: {p.SampledMb:F0} MB)" })));
        foreach (var e in submitErrors.Take(5)) Report.Line($"    error: {e}");
        foreach (var s in small.Where(s => s is not null && s.State != JobState.Completed).Take(5))
            Report.Line($"    {s!.JobId}: {s.State}, {s.Done} done, {s.Failed} failed: {string.Join("; ", s.Errors.Take(2).Select(e => e.Message))}");
        foreach (var (silo, lines) in cluster.LoggedProblems().Where(p => p.Lines.Length > 0))
            Report.Line($"    {silo}: {lines.Length} warning/error lines, e.g. {string.Join(" | ", lines.Distinct().Take(2).Select(l => l.Length > 400 ? l[..400] + "…" : l))}");
        Report.Ratio($"soak: {jobsCompleted}/{o.SoakJobs + 1} jobs, {itemsDone:N0}/{itemsTotal:N0} items, failures {jobsNotCompleted + itemsFailed + submitErrors.Count} (target 0); " +
                     $"peak RSS {string.Join(" / ", peaks.Select(p => $"{p.HighWaterMb:F0}"))} MB; time to first output p50 {(ttfo.Count > 0 ? Report.F(Percentile(ttfo, 0.5)) : "n/a")} s, " +
                     $"p99 {(ttfo.Count > 0 ? Report.F(Percentile(ttfo, 0.99)) : "n/a")} s");
    }

    static double Percentile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    static async Task<JobStatus> WaitFinishedAsync(GridClient grid, string id, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var status = await grid.GetStatusAsync(id);
        var progress = Stopwatch.StartNew();
        while (!status.IsFinished && clock.Elapsed < limit)
        {
            await Task.Delay(1000);
            status = await grid.GetStatusAsync(id);
            if (progress.Elapsed < TimeSpan.FromSeconds(60)) continue;
            progress.Restart();
            Report.Line($"    {id}: {status.Done:N0} of {status.Total:N0} done, {status.Failed} failed");
        }
        return status;
    }

    static Dictionary<string, string> Settings(BenchOptions o, string bundle)
    {
        var s = new Dictionary<string, string> { [$"Grid:Bundles:{BundleId}"] = bundle };
        for (int i = 0; i < Stages.Length; i++) s[$"Grid:Stages:{i}"] = Stages[i];
        foreach (var stage in Stages)
        {
            s[$"Grid:Batching:{stage}:MaxBatch"] = o.MaxBatch.ToString();
            s[$"Grid:Batching:{stage}:QueueCapacity"] = "4096";
        }
        foreach (var (stage, ms) in o.StandIn) s[$"Grid:StandIn:{stage}"] = ms.ToString();
        foreach (var (key, value) in o.Settings) if (value is not null) s[key] = value;
        return s;
    }

    /// <summary>A generation job of <paramref name="items"/> items (up to 10 classes, no guidance, 2 steps).</summary>
    static JobRequest Job(int items, long seed)
    {
        var classes = Enumerable.Range(0, Math.Min(10, items)).ToArray();
        return new JobRequest(JobKind.Generate, BundleId,
            Generate: new GenerateSpec(classes, items / classes.Length, seed, new SamplingSpec(Steps: 2, Guidance: "none")));
    }

    /// <summary>Each silo's largest VmRSS, sampled every second, and its VmHWM at the end (both from /proc).</summary>
    sealed class RssSampler : IDisposable
    {
        readonly List<ChildProcess> _processes;
        readonly double[] _sampled;
        readonly Timer _timer;

        public RssSampler(List<ChildProcess> processes)
        {
            _processes = processes;
            _sampled = new double[processes.Count];
            _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        }

        void Sample()
        {
            for (var i = 0; i < _processes.Count; i++)
                {
                var mb = StatusMb(_processes[i], "VmRSS:");
                if (!double.IsNaN(mb)) lock (_sampled) _sampled[i] = Math.Max(_sampled[i], mb);
            }
        }

        public List<(double HighWaterMb, double SampledMb)> Peaks()
        {
            Sample();
            lock (_sampled) return _processes.Select((p, i) => (StatusMb(p, "VmHWM:"), _sampled[i])).ToList();
        }

        static double StatusMb(ChildProcess p, string field)
        {
            try
            {
                var line = File.ReadLines($"/proc/{p.Id}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
                return line is null ? double.NaN : double.Parse(line[field.Length..].Trim().Split(' ')[0]) / 1024;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException) { return double.NaN; }
        }

        public void Dispose() => _timer.Dispose();
    }
}
