using System.Diagnostics;
using RAE.Grid.Client;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Imaging;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// Benchmark 1: the same N images reconstructed (a) in this process with <see cref="RaeModel"/> in batches of the
/// stage MaxBatch — PNG decode, centre crop, Reconstruct, PNG encode, i.e. the work the stages do — and (b) as a grid
/// reconstruct job submitted by an external client over loopback TCP to one silo hosting every stage (inputs and
/// outputs in a local store, job state in memory; the time runs from submit until the job reports Completed, manifest
/// and contact sheet included). The same for generation: GenerateLatents + Decode vs a generate job, few steps.
/// Passes alternate between the two paths; medians are reported.
/// </summary>
public static class ThroughputBenchmark
{
    const long Seed = 7;

    public static async Task RunAsync(BenchOptions o, string bundlePath, string root)
    {
        Report.Header("1. Throughput: grid job vs the same models in-process");
        var pngs = BenchImages.Pngs(o.Images);
        using var model = RaeModel.Load(bundlePath);
        var generate = model.Diffusion is not null && o.GenImages > 0;
        var labels = Enumerable.Range(0, o.GenImages).Select(i => i % (model.Diffusion?.NumClasses ?? 1)).ToArray();
        var stages = generate ? StageNames.All : [StageNames.Encoder, StageNames.Decoder];
        await using var silo = await BenchSilo.StartAsync(new BenchSilo.Spec(Path.Combine(root, "throughput"), bundlePath, stages,
            o.MaxBatch, MaxInFlightItems: Math.Max(32, o.Images)));
        await using var connection = await silo.ConnectClientAsync();
        var client = new GridClient(connection.Cluster);
        Report.Line($"  {o.Images} images {model.ImageSize}² ({pngs.Sum(p => (long)p.Length) / 1024} KiB of PNG), stage MaxBatch {o.MaxBatch} " +
                    $"(in-process batches of {o.MaxBatch}), MaxWaitMs 10, job window {Math.Max(32, o.Images)}, {o.Repeats} timed passes each" +
                    (generate ? $"; generation: {o.GenImages} samples, {o.Steps} steps {model.Bundle.Sampler.Params.SamplingMethod} with {model.Bundle.Guidance.Method} guidance" : model.Diffusion is null ? "; no stage_2: generation skipped" : "; generation skipped (--gen-images 0)"));

        var reconstructJob = new JobRequest(JobKind.Reconstruct, BenchSilo.BundleId,
            Images: pngs.Select((p, i) => new ImageSource($"img{i:D3}.png", p)).ToArray());
        var generateJob = new JobRequest(JobKind.Generate, BenchSilo.BundleId,
            Generate: new GenerateSpec(labels, 1, Seed, new SamplingSpec(Steps: o.Steps)));

        // Warm-up: first forward passes allocate; the silo loads its copy of the model on first use.
        InProcessReconstruct(model, pngs.Take(o.MaxBatch).ToArray(), o.MaxBatch);
        await RunJobAsync(client, reconstructJob with { Images = reconstructJob.Images!.Take(o.MaxBatch).ToArray() });
        if (generate)
        {
            InProcessGenerate(model, labels.Take(o.MaxBatch).ToArray(), o.MaxBatch, o.Steps);
            await RunJobAsync(client, generateJob with { Generate = generateJob.Generate! with { Classes = labels.Take(o.MaxBatch).ToArray() } });
        }

        var rows = new List<string[]>();
        var ratios = new List<string>();
        async Task Compare(string what, int count, Action inProcess, JobRequest job, string[] jobStages)
        {
            var local = new List<double>();
            var grid = new List<double>();
            var before = jobStages.Select(silo.StageCounts).ToArray();
            for (int r = 0; r < o.Repeats; r++)
            {
                // Alternate the order so a drifting machine load does not favour one side.
                if (r % 2 == 0) { local.Add(Time(inProcess)); grid.Add(await RunJobAsync(client, job)); }
                else { grid.Add(await RunJobAsync(client, job)); local.Add(Time(inProcess)); }
            }
            var batches = jobStages.Select((s, i) =>
            {
                var (b, n) = silo.StageCounts(s);
                var (b0, n0) = before[i];
                return $"{s} {Report.F((double)(b - b0) / o.Repeats, 1)} per pass ({Report.F((double)(n - n0) / Math.Max(1, b - b0), 1)})";
            });
            double lm = Report.Median(local), gm = Report.Median(grid);
            rows.Add([$"in-process {what}", count.ToString(), Report.F(lm), Report.F(local.Min()), Report.F(local.Max()),
                Report.F(count / lm), $"{(count + o.MaxBatch - 1) / o.MaxBatch} per pass, ≤{o.MaxBatch} each"]);
            rows.Add([$"grid {what} job", count.ToString(), Report.F(gm), Report.F(grid.Min()), Report.F(grid.Max()),
                Report.F(count / gm), string.Join(", ", batches)]);
            ratios.Add($"{what} {Report.F(lm / gm)}");
        }

        await Compare("reconstruct", o.Images, () => InProcessReconstruct(model, pngs, o.MaxBatch), reconstructJob,
            [StageNames.Encoder, StageNames.Decoder]);
        if (generate)
            await Compare("generate", o.GenImages, () => InProcessGenerate(model, labels, o.MaxBatch, o.Steps), generateJob,
                [StageNames.Diffusion, StageNames.Decoder]);

        Report.Table(["path", "images", "median s", "min s", "max s", "images/s", "batches (avg items per batch)"], rows);
        Report.Ratio($"throughput grid/in-process (images/s, medians): {string.Join(", ", ratios)}");
    }

    static double Time(Action a)
    {
        var sw = Stopwatch.StartNew();
        a();
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Submits <paramref name="job"/>, polls every 10 ms until it finishes; seconds from submit to Completed.</summary>
    internal static async Task<double> RunJobAsync(GridClient client, JobRequest job)
    {
        var sw = Stopwatch.StartNew();
        var id = GridClient.NewJobId();
        var status = await client.SubmitAsync(job, id);
        while (!status.IsFinished)
        {
            await Task.Delay(10);
            status = await client.GetStatusAsync(id);
        }
        var seconds = sw.Elapsed.TotalSeconds;
        if (status.State != JobState.Completed)
            throw new InvalidOperationException($"job {id} ended {status.State}: {status.Message} " +
                                                string.Join("; ", status.Errors.Take(3).Select(e => e.Message)));
        return seconds;
    }

    /// <summary>What the encoder and decoder stages do for these images, in one thread, batch by batch.</summary>
    static void InProcessReconstruct(RaeModel model, byte[][] pngs, int batch)
    {
        for (int start = 0; start < pngs.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            var images = stack(pngs.Skip(start).Take(batch)
                .Select((p, i) => CenterCrop.Apply(ImageIO.Decode(p, $"img{start + i}"), model.ImageSize)).ToArray());
            var reconstructions = model.Reconstruct(images);
            for (int j = 0; j < reconstructions.shape[0]; j++) _ = ImageIO.EncodePng(reconstructions[j]);
        }
    }

    /// <summary>What the diffusion and decoder stages do for these labels (item i has noise (seed, i)).</summary>
    static void InProcessGenerate(RaeModel model, int[] labels, int batch, int steps)
    {
        var settings = new SamplingSettings(NumSteps: steps);
        for (int start = 0; start < labels.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            var slice = Enumerable.Range(start, Math.Min(batch, labels.Length - start)).ToArray();
            var latents = model.GenerateLatents(slice.Select(i => (long)labels[i]).ToList(), Seed, slice.Select(i => (long)i).ToList(), settings);
            var images = model.Decode(latents);
            for (int j = 0; j < images.shape[0]; j++) _ = ImageIO.EncodePng(images[j]);
        }
    }
}
