using System.Diagnostics;
using System.Text.Json;
using StbImageWriteSharp;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// The grid as it is deployed: two <c>rae-grid serve</c> silo processes with Redis or PostgreSQL membership and job state
/// on loopback (the same tests on each backend: <see cref="RedisMultiProcessGridTests"/>, <see cref="PostgresMultiProcessGridTests"/>),
/// outputs in Azurite, and jobs submitted by separate <c>rae-grid</c> client processes. Silo A hosts encoder + diffusion
/// and silo B the decoder, so every item's latent crosses from one process to the other. Outputs are checked by content
/// in the client's fetched folder and directly in the blob container. Needs redis-server and Azurite (.ci/run installs
/// both, and PostgreSQL) and the CLI built by the solution build.
/// </summary>
public abstract class MultiProcessGridTests(TwoSiloCluster cluster)
{
    /// <summary>The grid the tests run on (for the backend-specific tests of derived classes).</summary>
    protected TwoSiloCluster Cluster => cluster;

    /// <summary>Side of every output of the tiny bundle (its decoder's image size).</summary>
    protected const int Side = 256;
    const int ReconstructImages = 60;
    /// <summary>Longest one client process may run (the large reconstruction took 149 s in a loaded full-suite run).</summary>
    protected static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(240);

    [Fact]
    public Task Reconstruction_of_60_images_runs_across_two_silo_processes_and_stores_every_output_in_Azurite() => Checked(async () =>
    {
        var inputDir = Directory.CreateDirectory(Path.Combine(cluster.WorkDir, "reconstruct-inputs")).FullName;
        var names = WriteInputImages(inputDir, ReconstructImages);
        var outDir = Path.Combine(cluster.WorkDir, "reconstruct-out");
        var encoderBefore = await cluster.StageItemsAsync(cluster.SiloA, "encoder");
        var decoderBefore = await cluster.StageItemsAsync(cluster.SiloB, "decoder");

        var clock = Stopwatch.StartNew();
        var (client, code) = await cluster.RunClientAsync("client-reconstruct", ClientTimeout, "reconstruct", inputDir, "--bundle", "tiny", "--out", outDir);
        AssertExitedCleanly(client, code);

        // The client's input order is the ordinal order of the file names; item i keeps its input's name.
        var expected = names.Order(StringComparer.Ordinal)
            .Select((n, i) => new ExpectedItem(i, n, $"{i:D5}_{Path.GetFileNameWithoutExtension(n)}.png")).ToList();
        var check = new JobOutputCheck("Reconstruct", expected, Side);
        await check.RunAsync(outDir, cluster.Store);
        await ExpectStagesCrossed(check.Problems, ("encoder", cluster.SiloA, encoderBefore), ("decoder", cluster.SiloB, decoderBefore), ReconstructImages);
        Report(check.Problems, $"reconstruction job {check.JobId} ({ReconstructImages} images, {clock.Elapsed.TotalSeconds:F1} s)");
    });

    [Fact]
    public Task Generation_job_runs_across_two_silo_processes_and_stores_every_output_in_Azurite_and_later_clients_fetch_it() => Checked(async () =>
    {
        int[] classes = [0, 1, 2];
        const int perClass = 4;
        var outDir = Path.Combine(cluster.WorkDir, "generate-out");
        var diffusionBefore = await cluster.StageItemsAsync(cluster.SiloA, "diffusion");
        var decoderBefore = await cluster.StageItemsAsync(cluster.SiloB, "decoder");

        var clock = Stopwatch.StartNew();
        var (client, code) = await cluster.RunClientAsync("client-generate", ClientTimeout,
            "generate", "--bundle", "tiny", "--classes", string.Join(',', classes), "--per-class", perClass.ToString(), "--steps", "8", "--out", outDir);
        AssertExitedCleanly(client, code);

        // Items are class-major: index = class position × per-class + k.
        var expected = classes.SelectMany((label, c) => Enumerable.Range(0, perClass).Select(k =>
        {
            var i = c * perClass + k;
            return new ExpectedItem(i, $"class {label}", $"{i:D5}_class{label}.png");
        })).ToList();
        var check = new JobOutputCheck("Generate", expected, Side);
        await check.RunAsync(outDir, cluster.Store);
        await ExpectStagesCrossed(check.Problems, ("diffusion", cluster.SiloA, diffusionBefore), ("decoder", cluster.SiloB, decoderBefore), expected.Count);
        Report(check.Problems, $"generation job {check.JobId} ({expected.Count} items, {clock.Elapsed.TotalSeconds:F1} s)");

        // Later clients, in new processes, find the finished job through the grid (job state in Redis) and fetch the
        // same bytes again.
        var (status, statusCode) = await cluster.RunClientAsync("client-status", ClientTimeout, "status", check.JobId!);
        AssertExitedCleanly(status, statusCode);
        if (!status.Output.Contains("Completed")) check.Problems.Add($"`rae-grid status {check.JobId}` does not say Completed");
        var again = Path.Combine(cluster.WorkDir, "generate-fetch-again");
        var (fetch, fetchCode) = await cluster.RunClientAsync("client-fetch", ClientTimeout, "fetch", check.JobId!, "--out", again);
        AssertExitedCleanly(fetch, fetchCode);
        foreach (var file in Directory.EnumerateFiles(outDir))
        {
            var copy = Path.Combine(again, Path.GetFileName(file));
            if (!File.Exists(copy) || !File.ReadAllBytes(copy).AsSpan().SequenceEqual(File.ReadAllBytes(file)))
                check.Problems.Add($"`rae-grid fetch` gave {(File.Exists(copy) ? "different bytes for" : "no")} {Path.GetFileName(file)}");
        }
        if (Directory.EnumerateFiles(again).Count() != Directory.EnumerateFiles(outDir).Count())
            check.Problems.Add($"`rae-grid fetch` wrote {Directory.EnumerateFiles(again).Count()} files, the generate command {Directory.EnumerateFiles(outDir).Count()}");
        Report(check.Problems, $"generation job {check.JobId}: later status/fetch clients");
    });

    [Fact]
    public Task A_best_of_n_prompt_job_runs_text_and_decoder_on_one_silo_process_and_diffusion_and_the_llm_verifier_on_the_other() => Checked(async () =>
    {
        string[] prompts = ["a photo of a cat", "a red bus on a street"];
        const int n = 3;
        const string bundle = TwoSiloCluster.TextToImageBundle;
        var promptsFile = Path.Combine(cluster.WorkDir, "prompts.txt");
        await File.WriteAllTextAsync(promptsFile, prompts[1] + "\n\n");
        var outDir = Path.Combine(cluster.WorkDir, "prompt-out");
        var before = new Dictionary<string, long>();
        foreach (var (stage, silo) in new[] { ("text", cluster.SiloB), ("diffusion", cluster.SiloA), ("verifier", cluster.SiloA), ("decoder", cluster.SiloB) })
            before[stage] = await cluster.StageItemsAsync(silo, stage, bundle);

        var clock = Stopwatch.StartNew();
        var (client, code) = await cluster.RunClientAsync("client-prompts", ClientTimeout, "generate", "--bundle", bundle,
            "--prompt", prompts[0], "--prompts", promptsFile, "--per-prompt", "1", "--steps", "3",
            "--best-of", n.ToString(), "--keep", "1", "--verifier", "answer-logits", "--out", outDir);
        AssertExitedCleanly(client, code);

        var expected = prompts.Select((_, k) => new ExpectedItem(k, $"prompt {k}", $"{k:D5}_prompt{k}.png")).ToList();
        var check = new JobOutputCheck("Generate", expected, Side);
        await check.RunAsync(outDir, cluster.Store);
        // Where each stage ran: the prompts' conditions on B (once per prompt), every candidate sampled and scored on A, the winners decoded on B.
        foreach (var (stage, silo, want) in new[] { ("text", cluster.SiloB, 2L), ("diffusion", cluster.SiloA, 2L * n), ("verifier", cluster.SiloA, 2L * n), ("decoder", cluster.SiloB, 2L) })
        {
            var ran = await cluster.StageItemsAsync(silo, stage, bundle) - before[stage];
            if (ran != want) check.Problems.Add($"{silo.Name}'s {stage} stage ran {ran} items of {bundle} for this job, expected {want}");
        }
        // The manifest's item records name each prompt and its candidates' Answer-Logits scores.
        var records = Directory.EnumerateFiles(Path.Combine(outDir, "items"), "*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var r in records)
        {
            var k = r.GetProperty("index").GetInt32();
            if (r.GetProperty("prompt").GetString() != prompts[k]) check.Problems.Add($"item {k}: prompt {r.GetProperty("prompt")}, expected '{prompts[k]}'");
            if (r.GetProperty("verifier").GetString() is not { } v || !v.StartsWith("answer-logits (", StringComparison.Ordinal))
                check.Problems.Add($"item {k}: verifier {r.GetProperty("verifier")}, expected answer-logits");
            if (r.GetProperty("candidates").GetArrayLength() != n) check.Problems.Add($"item {k}: {r.GetProperty("candidates").GetArrayLength()} candidates listed, expected {n}");
        }
        if (records.Count != 2) check.Problems.Add($"{records.Count} item records, expected 2");
        Report(check.Problems, $"prompt job {check.JobId} (2 prompts, best of {n}, {clock.Elapsed.TotalSeconds:F1} s)");
    });

    /// <summary>
    /// Each stage ran every item on the silo configured for it (its /healthz batching counts grew by at least the item
    /// count), and neither silo runs a stage it was not given: the latents went from silo A's process to silo B's.
    /// </summary>
    async Task ExpectStagesCrossed(List<string> problems, (string Stage, SiloProcess Silo, long Before) first,
        (string Stage, SiloProcess Silo, long Before) second, int items)
    {
        foreach (var (stage, silo, before) in new[] { first, second })
        {
            var ran = await cluster.StageItemsAsync(silo, stage) - before;
            if (ran < items) problems.Add($"{silo.Name}'s {stage} stage ran {ran} items for this job, expected at least {items}");
        }
        foreach (var silo in new[] { cluster.SiloA, cluster.SiloB })
        {
            using var health = await cluster.HealthAsync(silo);
            var stages = health.RootElement.GetProperty("stages").EnumerateArray().Select(s => s.GetString()!).ToArray();
            if (!stages.SequenceEqual(silo.Stages)) problems.Add($"{silo.Name} reports stages [{string.Join(",", stages)}], configured [{string.Join(",", silo.Stages)}]");
            foreach (var p in health.RootElement.GetProperty("batching").EnumerateObject())
                if (!silo.Stages.Contains(p.Name.Split('/')[0])) problems.Add($"{silo.Name} ran the {p.Name} stage it does not host");
        }
    }

    /// <summary>
    /// Distinct RGB PNGs of varied sizes (smaller and larger than the model's 256², square and not), so the encoder's
    /// resize-and-crop runs both ways. Returns the file names.
    /// </summary>
    static List<string> WriteInputImages(string dir, int count)
    {
        var names = new List<string>();
        var writer = new ImageWriter();
        for (var i = 0; i < count; i++)
        {
            int w = 96 + i * 37 % 320, h = 96 + i * 53 % 320;
            var pixels = new byte[w * h * 3];
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    var p = (y * w + x) * 3;
                    pixels[p] = (byte)(x * 255 / w + i * 13);
                    pixels[p + 1] = (byte)(y * 255 / h + i * 29);
                    pixels[p + 2] = (byte)((x ^ y) + i * 7);
                }
            var name = $"photo-{i:D3}.png";
            using (var file = File.Create(Path.Combine(dir, name))) writer.WritePng(pixels, w, h, ColorComponents.RedGreenBlue, file);
            names.Add(name);
        }
        return names;
    }

    protected void AssertExitedCleanly(ChildProcess client, int? code)
    {
        if (code is null)
            throw new MultiProcessFailure($"{client.Name} did not finish within its time limit (killed)", cluster.Diagnostics());
        if (code != 0)
            throw new MultiProcessFailure($"{client.Name} exited with code {code}, expected 0", cluster.Diagnostics());
    }

    protected void Report(List<string> problems, string what)
    {
        if (problems.Count > 0)
            throw new MultiProcessFailure($"{what}: {problems.Count} problem(s):\n  - " + string.Join("\n  - ", problems), cluster.Diagnostics());
    }

    /// <summary>Runs a test body; any unexpected exception is reported with every process's output.</summary>
    protected async Task Checked(Func<Task> body)
    {
        try { await body(); }
        catch (MultiProcessFailure) { throw; }
        catch (Exception e) { throw new MultiProcessFailure($"{e.GetType().Name}: {e.Message}", cluster.Diagnostics(), e); }
    }
}
