using System.Diagnostics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Models.Imaging;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// Benchmark 2: N concurrent single-image Encode requests to one encoder stage grain, with dynamic batching on
/// (silo A: MaxBatch N, MaxWaitMs W) and off (silo B: MaxBatch 1). Both silos run at once in one cluster, each
/// with its own copy of the model; each is driven from inside its own silo (its grain factory: stage grains answer no external client),
/// so the two paths differ only in the batching setting. Passes alternate on/off; medians are reported. Batches come
/// from the silos' <c>StageRuntime.Statistics</c>.
/// </summary>
public static class BatchingBenchmark
{
    public static async Task RunAsync(BenchOptions o, string bundlePath, BenchSilo on, BenchSilo off, int onMaxBatch)
    {
        Report.Header("2. Dynamic batching on vs off: concurrent single-image Encode calls to one stage grain");
        var pngs = BenchImages.Pngs(o.Images, seed: 2);
        var targets = new[]
        {
            (Name: "batching on", Silo: on, MaxBatch: onMaxBatch, WaitMs: o.WaitMs,
                Grain: on.Grains.GetGrain<IEncoderStageGrain>(StageKeys.For(BenchSilo.BundleId, on.Address))),
            (Name: "batching off", Silo: off, MaxBatch: 1, WaitMs: o.WaitMs,
                Grain: off.Grains.GetGrain<IEncoderStageGrain>(StageKeys.For(BenchSilo.BundleId, off.Address))),
        };
        var repeats = Math.Max(3, o.Repeats);
        Report.Line($"  {o.Images} concurrent Encode calls of one {pngs[0].Length / 1024} KiB PNG each, from inside each silo; " +
                    $"1 warm-up + {repeats} timed passes per configuration, alternating");

        foreach (var t in targets) await Pass(t.Grain, pngs);
        var walls = targets.Select(_ => new List<double>()).ToArray();
        var latencies = targets.Select(_ => new List<double>()).ToArray();
        var batches = new long[targets.Length];
        var items = new long[targets.Length];
        for (int r = 0; r < repeats; r++)
            for (int k0 = 0; k0 < targets.Length; k0++)
            {
                var k = (k0 + r) % targets.Length;
                var (b0, n0) = targets[k].Silo.StageCounts(StageNames.Encoder);
                var (wall, each) = await Pass(targets[k].Grain, pngs);
                var (b1, n1) = targets[k].Silo.StageCounts(StageNames.Encoder);
                walls[k].Add(wall);
                latencies[k].AddRange(each);
                batches[k] += b1 - b0;
                items[k] += n1 - n0;
            }

        Report.Table(["configuration", "MaxBatch", "MaxWaitMs", "wall ms (median)", "min", "max", "images/s", "batches/pass", "items/batch", "request p50 ms", "p99"],
            targets.Select((t, k) => new[]
            {
                t.Name, t.MaxBatch.ToString(), t.MaxBatch == 1 ? "-" : t.WaitMs.ToString(), Report.F(Report.Median(walls[k]), 0),
                Report.F(walls[k].Min(), 0), Report.F(walls[k].Max(), 0), Report.F(o.Images / (Report.Median(walls[k]) / 1000), 1),
                Report.F((double)batches[k] / repeats, 1), Report.F((double)items[k] / Math.Max(1, batches[k]), 1),
                Report.F(Report.Percentile(latencies[k], 50), 0), Report.F(Report.Percentile(latencies[k], 99), 0),
            }));
        var (single, batched) = InProcessEncodeCost(bundlePath, pngs);
        Report.Line($"  context, in-process Encode on this device: batch 1 → {Report.F(single, 0)} ms/image, batch {pngs.Length} → " +
                    $"{Report.F(batched, 0)} ms/image (what one big forward pass saves per item here, before any grid cost)");
        Report.Ratio($"batching wall time off/on ({o.Images} concurrent requests, medians): {Report.F(Report.Median(walls[1]) / Report.Median(walls[0]))}");
    }

    /// <summary>Median ms per image of RaeModel.Encode at batch 1 (8 images) and at batch N (3 passes), after a warm-up.</summary>
    static (double Single, double Batched) InProcessEncodeCost(string bundlePath, byte[][] pngs)
    {
        using var model = RaeModel.Load(bundlePath);
        using var scope = NewDisposeScope();
        var images = pngs.Select((p, i) => CenterCrop.Apply(ImageIO.Decode(p, $"img{i}"), model.ImageSize)).ToArray();
        var all = stack(images);
        model.Encode(images[0].unsqueeze(0));
        model.Encode(all);
        var single = images.Take(8).Select(img =>
        {
            var sw = Stopwatch.StartNew();
            model.Encode(img.unsqueeze(0)).Dispose();
            return sw.Elapsed.TotalMilliseconds;
        }).ToList();
        var batched = Enumerable.Range(0, 3).Select(_ =>
        {
            var sw = Stopwatch.StartNew();
            model.Encode(all).Dispose();
            return sw.Elapsed.TotalMilliseconds / images.Length;
        }).ToList();
        return (Report.Median(single), Report.Median(batched));
    }

    /// <summary>Sends every image at once; returns the wall time and each request's latency (ms).</summary>
    static async Task<(double WallMs, double[] EachMs)> Pass(IEncoderStageGrain grain, byte[][] pngs)
    {
        var sw = Stopwatch.StartNew();
        var calls = pngs.Select(async (p, i) =>
        {
            var latent = await grain.Encode(new ImageSource($"img{i:D3}.png", p));
            if (latent.Data.Length == 0) throw new InvalidOperationException("empty latent");
            return sw.Elapsed.TotalMilliseconds;
        }).ToArray();
        var each = await Task.WhenAll(calls);
        return (sw.Elapsed.TotalMilliseconds, each);
    }
}
