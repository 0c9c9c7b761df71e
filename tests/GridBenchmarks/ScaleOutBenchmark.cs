using System.Diagnostics;
using RAE.Grid.Client;
using RAE.Grid.Contracts;
using RAE.Grid.Grid.Tests.MultiProcess;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// Scale-out: one generation job of <see cref="BenchOptions.ScaleItems"/> items on 1, 2, 4… <c>rae-grid serve</c>
/// processes (a new cluster — Redis, silos, store — for each count), every silo hosting diffusion and decoder as
/// service-time stand-ins (<c>Grid:StandIn</c>): a batch takes a fixed time whatever its size, as on a GPU, and nothing
/// computes, so silos on a 2-core machine do not compete for the cores and the grid's own scaling — routing, windows,
/// batching, state — is what is measured. Then, on the largest cluster, fairness: two equal jobs submitted together
/// (their progress rates while both run), and a small job beside a large one (its time vs alone).
/// </summary>
public static class ScaleOutBenchmark
{
    const string BundleId = "bench";
    static readonly string[] Stages = ["diffusion", "decoder"];

    sealed record Row(int Silos, int Items, double SubmitToCompleted, double FirstToLast, int DoneAtFirst, double Middle,
        Dictionary<string, (long Batches, long Items)>[] Work, int Problems);

    public static async Task RunAsync(BenchOptions o, string root)
    {
        var bundle = o.Bundle ?? Repository.DefaultBundle();
        var repo = GridCli.RepositoryRoot();
        var cli = await GridCli.EnsureBuiltAsync(repo, TimeSpan.FromMinutes(5));
        var fairItems = o.FairItems > 0 ? o.FairItems : o.ScaleItems;
        Report.Header($"scaleout: one generation job of {o.ScaleItems:N0} items on {string.Join(", ", o.Silos)} `rae-grid serve` processes");
        Report.Line($"  STAND-IN stages: {string.Join(", ", o.StandIn.Select(kv => $"{kv.Key} {kv.Value} ms per batch"))} (Grid:StandIn), MaxBatch {o.MaxBatch}, " +
                    $"bundle {Path.GetRelativePath(repo, bundle)} (loaded for shapes only).");
        Report.Line("  A stand-in batch takes a fixed time whatever its size (as a GPU does) and computes nothing: this machine has " +
                    $"{Environment.ProcessorCount} cores, so real models in several silos would only share them; what scales here is the grid itself");
        Report.Line("  (routing, job windows, batching, Redis state). Every silo hosts diffusion + decoder; Redis membership and state; one local store folder;");
        Report.Line("  the client connects through Redis. Each silo count gets a new cluster (Redis, silos, store).");

        var rows = new List<Row>();
        foreach (var n in o.Silos)
        {
            var clock = Stopwatch.StartNew();
            await using var cluster = await ServeCluster.StartAsync(cli, Path.Combine(root, $"scaleout-{n}"), n, Settings(o, bundle));
            Report.Line($"  {n} silo(s): active in {clock.Elapsed.TotalSeconds:F1} s");
            // Warm-up: a window's worth of items loads each silo's model and stages and lets silo metadata spread.
            var warm = await RunJobAsync(cluster.Grid, Job(4 * o.MaxBatch * n, 0), TimeSpan.FromMilliseconds(100));
            Report.Line($"    warm-up job of {warm.Status.Total} items: {warm.Seconds:F1} s");
            var before = await cluster.AllBatchingAsync();
            var run = await RunJobAsync(cluster.Grid, Job(o.ScaleItems, 1), TimeSpan.FromMilliseconds(250));
            var after = await cluster.AllBatchingAsync();
            var work = after.Select((a, i) => a.ToDictionary(kv => kv.Key, kv =>
                (kv.Value.Batches - before[i].GetValueOrDefault(kv.Key).Batches, kv.Value.Items - before[i].GetValueOrDefault(kv.Key).Items))).ToArray();
            var problems = cluster.LoggedProblems().Sum(p => p.Lines.Length);
            rows.Add(new Row(n, run.Status.Total, run.Seconds, run.LastDone - run.FirstDone, run.DoneAtFirst, run.MiddleRate, work, problems));
            Report.Line($"    job of {run.Status.Total:N0} items: {run.Status.State} in {run.Seconds:F1} s (first item done at {run.FirstDone:F1} s), " +
                        $"{problems} warning/error lines in the silo logs");
            PrintProblems(cluster);

            if (n == o.Silos[^1])
            {
                await FairnessAsync(o, cluster, n, fairItems);
                await StarvationAsync(o, cluster, n);
            }
        }

        Report.Header("scaleout: throughput by silo count (items/s from the first item done to the last)");
        var baseRate = Rate(rows[0]);
        Report.Table(["silos", "items", "submit→completed s", "first→last s", "items/s", "× 1 silo", "target 0.9·N", "10→90% items/s", "× 1 silo", "items per silo (diffusion)", "avg batch", "log problems"],
            rows.Select(r => new[]
            {
                r.Silos.ToString(), r.Items.ToString("N0"), Report.F(r.SubmitToCompleted, 1), Report.F(r.FirstToLast, 1), Report.F(Rate(r), 1),
                Report.F(Rate(r) / baseRate * rows[0].Silos, 2), Report.F(0.9 * r.Silos, 1),
                Report.F(r.Middle, 1), Report.F(r.Middle / rows[0].Middle * rows[0].Silos, 2),
                string.Join(" / ", r.Work.Select(w => Stage(w, "diffusion").Items.ToString())),
                Report.F(r.Work.Sum(w => (double)Stage(w, "diffusion").Items) / Math.Max(1, r.Work.Sum(w => Stage(w, "diffusion").Batches)), 1),
                r.Problems.ToString(),
            }));
        Report.Line("  items/s = (items − done at the first sample with any done) ÷ (last − first), Done polled every 250 ms; submit→completed adds job");
        Report.Line("  start, the first batch and the finish. 10→90%: the rate between the samples where 10% and 90% were done (no ramp-up, no drain).");
        Report.Ratio("scaleout: items/s (first→last) × 1 silo: " + string.Join(", ", rows.Select(r =>
            $"{r.Silos} silo(s) {Report.F(Rate(r) / baseRate * rows[0].Silos, 2)} (target ≥ {Report.F(0.9 * r.Silos, 1)}; 10→90% {Report.F(r.Middle / rows[0].Middle * rows[0].Silos, 2)})")));
    }

    static double Rate(Row r) => (r.Items - r.DoneAtFirst) / Math.Max(1e-3, r.FirstToLast);

    static (long Batches, long Items) Stage(Dictionary<string, (long Batches, long Items)> w, string stage) =>
        w.GetValueOrDefault($"{stage}/{BundleId}");

    /// <summary>Two equal jobs submitted together; progress sampled every second.</summary>
    static async Task FairnessAsync(BenchOptions o, ServeCluster cluster, int n, int items)
    {
        Report.Header($"scaleout fairness 1: two jobs of {items:N0} items submitted together on {n} silo(s), Done sampled every second");
        var ids = new[] { GridClient.NewJobId() + "-a", GridClient.NewJobId() + "-b" };
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(cluster.Grid.SubmitAsync(Job(items, 2), ids[0]), cluster.Grid.SubmitAsync(Job(items, 3), ids[1]));
        var samples = new List<(double T, JobStatus A, JobStatus B)>();
        while (true)
        {
            var s = await Task.WhenAll(cluster.Grid.GetStatusAsync(ids[0]), cluster.Grid.GetStatusAsync(ids[1]));
            samples.Add((clock.Elapsed.TotalSeconds, s[0], s[1]));
            if (s.All(x => x.IsFinished)) break;
            await Task.Delay(1000);
        }
        // While both ran: from the first sample where both had items done to the last sample where neither had finished.
        var both = samples.Where(x => x.A.Done > 0 && x.B.Done > 0 && !x.A.IsFinished && !x.B.IsFinished).ToList();
        if (both.Count < 2) { Report.Line("  the jobs did not run side by side for two samples; no rates"); return; }
        var (t0, a0, b0) = both[0];
        var (t1, a1, b1) = both[^1];
        double rateA = (a1.Done - a0.Done) / (t1 - t0), rateB = (b1.Done - b0.Done) / (t1 - t0);
        double Finished(int job) => samples.First(x => (job == 0 ? x.A : x.B).IsFinished).T;
        Report.Table(["job", "items", $"done at {t0:F0} s", $"done at {t1:F0} s", "items/s while both ran", "finished at s", "state"],
        [
            ["A", items.ToString("N0"), a0.Done.ToString(), a1.Done.ToString(), Report.F(rateA, 1), Report.F(Finished(0), 1), samples[^1].A.State.ToString()],
            ["B", items.ToString("N0"), b0.Done.ToString(), b1.Done.ToString(), Report.F(rateB, 1), Report.F(Finished(1), 1), samples[^1].B.State.ToString()],
        ]);
        Report.Line("  Done every 5 s (A/B): " + string.Join("  ", samples.Where((_, i) => i % 5 == 0).Select(x => $"{x.T:F0}s {x.A.Done}/{x.B.Done}")));
        Report.Ratio($"scaleout fairness: rate A ÷ rate B while both ran = {Report.F(rateA / rateB, 2)} (1 is fair; {Report.F(t1 - t0, 0)} s side by side)");
    }

    /// <summary>A small job alone, then beside a large job that is running (median of three each).</summary>
    static async Task StarvationAsync(BenchOptions o, ServeCluster cluster, int n)
    {
        Report.Header($"scaleout fairness 2: a {o.SmallItems:N0}-item job alone and beside a running {o.BigItems:N0}-item job on {n} silo(s)");
        const int repeats = 3;
        var alone = new List<double>();
        for (int r = 0; r < repeats; r++) alone.Add((await RunJobAsync(cluster.Grid, Job(o.SmallItems, 10 + r), TimeSpan.FromMilliseconds(20))).Seconds);

        var bigId = GridClient.NewJobId() + "-big";
        var clock = Stopwatch.StartNew();
        var big = await cluster.Grid.SubmitAsync(Job(o.BigItems, 20), bigId);
        var submitted = clock.Elapsed.TotalSeconds;
        // Running: items done, and a few more seconds so every silo's queues hold the big job's items.
        while (big.Done == 0 && !big.IsFinished && clock.Elapsed < TimeSpan.FromSeconds(60)) { await Task.Delay(200); big = await cluster.Grid.GetStatusAsync(bigId); }
        await Task.Delay(3000);
        big = await cluster.Grid.GetStatusAsync(bigId);
        var (t0, done0) = (clock.Elapsed.TotalSeconds, big.Done);
        var beside = new List<double>();
        for (int r = 0; r < repeats; r++) beside.Add((await RunJobAsync(cluster.Grid, Job(o.SmallItems, 30 + r), TimeSpan.FromMilliseconds(20))).Seconds);
        big = await cluster.Grid.GetStatusAsync(bigId);
        var bigRate = (big.Done - done0) / (clock.Elapsed.TotalSeconds - t0);
        Report.Table(["small job", "runs", "median s", "min s", "max s"],
        [
            ["alone", repeats.ToString(), Report.F(Report.Median(alone)), Report.F(alone.Min()), Report.F(alone.Max())],
            [$"beside the {o.BigItems:N0}-item job", repeats.ToString(), Report.F(Report.Median(beside)), Report.F(beside.Min()), Report.F(beside.Max())],
        ]);
        Report.Line($"  the big job: submit took {submitted * 1000:F0} ms; {big.State}, {big.Done:N0} done, {big.InFlight} in flight; {Report.F(bigRate, 1)} items/s " +
                    "while the small jobs ran (it is not run to the end: the cluster is torn down)");
        Report.Line($"  beside it, a small job's items join each silo's next batch (round robin by job), after the batch in progress: expect up to one " +
                    $"diffusion batch ({o.StandIn.GetValueOrDefault("diffusion")} ms) more than alone, not a wait behind the big job's queue");
        Report.Ratio($"scaleout starvation: small job beside the big one ÷ alone (medians) = {Report.F(Report.Median(beside) / Report.Median(alone), 2)} " +
                     $"({Report.F(Report.Median(beside), 2)} s vs {Report.F(Report.Median(alone), 2)} s)");
        PrintProblems(cluster);
    }

    static void PrintProblems(ServeCluster cluster)
    {
        foreach (var (silo, lines) in cluster.LoggedProblems().Where(p => p.Lines.Length > 0))
            Report.Line($"    {silo}: {lines.Length} warning/error lines, e.g. {string.Join(" | ", lines.Distinct().Take(3).Select(l => l.Length > 600 ? l[..600] + "…" : l))}");
    }

    /// <summary>Each silo's settings: its stages, the bundle, batching, stand-in times.</summary>
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

    /// <summary>A generation job of <paramref name="items"/> items (10 classes round robin, no guidance).</summary>
    static JobRequest Job(int items, long seed)
    {
        var classes = Enumerable.Range(0, Math.Min(10, items)).ToArray();
        var perClass = items / classes.Length;
        return new JobRequest(JobKind.Generate, BundleId,
            Generate: new GenerateSpec(classes, perClass, seed, new SamplingSpec(Steps: 2, Guidance: "none")));
    }

    sealed record JobRun(JobStatus Status, double Seconds, double FirstDone, double LastDone, int DoneAtFirst, double MiddleRate);

    /// <summary>Submits a job and polls it until finished; seconds from submit, and when items were first and last seen done.</summary>
    static async Task<JobRun> RunJobAsync(GridClient grid, JobRequest job, TimeSpan poll)
    {
        var id = GridClient.NewJobId();
        var clock = Stopwatch.StartNew();
        var status = await grid.SubmitAsync(job, id);
        double first = double.NaN, last = 0;
        int doneAtFirst = 0, lastDone = 0;
        var samples = new List<(double T, int Done)>();
        while (!status.IsFinished)
        {
            await Task.Delay(poll);
            status = await grid.GetStatusAsync(id);
            var t = clock.Elapsed.TotalSeconds;
            samples.Add((t, status.Done));
            if (status.Done > 0 && double.IsNaN(first)) { first = t; doneAtFirst = status.Done; }
            if (status.Done > lastDone) { last = t; lastDone = status.Done; }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (status.State != JobState.Completed)
            throw new InvalidOperationException($"job {id} ended {status.State}: {status.Message} " +
                                                string.Join("; ", status.Errors.Take(3).Select(e => e.Message)));
        // The rate between the first samples with 10% and with 90% done (NaN when the job was too quick to sample there).
        var (a, b) = (samples.FirstOrDefault(x => x.Done >= 0.1 * status.Total), samples.FirstOrDefault(x => x.Done >= 0.9 * status.Total));
        var middle = b.T > a.T ? (b.Done - a.Done) / (b.T - a.T) : double.NaN;
        return new JobRun(status, seconds, double.IsNaN(first) ? seconds : first, last, doneAtFirst, middle);
    }
}
