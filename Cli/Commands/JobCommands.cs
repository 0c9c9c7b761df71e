using System.CommandLine;
using RAE.Grid.Client;
using RAE.Grid.Contracts;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary><c>reconstruct</c>, <c>generate</c>, <c>encode</c>: submit a job, watch it, fetch its outputs into --out.</summary>
internal static class JobCommands
{
    static Option<bool> NoWait() => new("--no-wait") { Description = "Submit and return; fetch later with `rae-grid fetch <job>`" };

    static Option<int> Priority() => new("--priority")
    {
        Description = $"Job priority, -{JobRequest.MaxPriority}..{JobRequest.MaxPriority}: stage queues serve higher first, and a waiting job with a higher one starts first",
        DefaultValueFactory = _ => 0,
    };

    static Argument<string[]> Inputs() => new("inputs")
    {
        Description = "Image files or folders of images, uploaded into the grid's store (only what it lacks)",
        Arity = ArgumentArity.ZeroOrMore,
    };

    static Option<string?> FromStore() => new("--from-store")
    {
        Description = "Instead of inputs: every image already in the grid's store under this prefix (e.g. uploads/sha256/ or jobs/<id>/)",
    };

    public static Command Reconstruct()
    {
        var inputs = Inputs();
        var fromStore = FromStore();
        var bundle = CommonOptions.Bundle();
        var outDir = CommonOptions.Out("out/reconstruct");
        var noWait = NoWait();
        var priority = Priority();
        var conn = new ConnectionOptions();
        var cmd = new Command("reconstruct", "Encode images with the frozen encoder and decode them back (PNG per image)") { inputs, fromStore, bundle, outDir, noWait, priority };
        conn.AddTo(cmd);
        cmd.SetAction((pr, ct) => CommonOptions.Guard(() => RunImagesJobAsync(pr, conn, inputs, fromStore, bundle,
            new JobRequest(JobKind.Reconstruct, "", Priority: pr.GetValue(priority)), pr.GetValue(outDir)!, !pr.GetValue(noWait), ct)));
        return cmd;
    }

    public static Command Encode()
    {
        var inputs = Inputs();
        var fromStore = FromStore();
        var bundle = CommonOptions.Bundle();
        var outDir = CommonOptions.Out("out/encode");
        var shard = new Option<int>("--shard-size") { Description = "Latents per safetensors shard", DefaultValueFactory = _ => 64 };
        var noWait = NoWait();
        var priority = Priority();
        var conn = new ConnectionOptions();
        var cmd = new Command("encode", "Encode images to latents stored as safetensors shards") { inputs, fromStore, bundle, outDir, shard, noWait, priority };
        conn.AddTo(cmd);
        cmd.SetAction((pr, ct) => CommonOptions.Guard(() => RunImagesJobAsync(pr, conn, inputs, fromStore, bundle,
            new JobRequest(JobKind.Encode, "", ShardSize: pr.GetValue(shard), Priority: pr.GetValue(priority)), pr.GetValue(outDir)!, !pr.GetValue(noWait), ct)));
        return cmd;
    }

    /// <summary>
    /// A job over images: either the positional inputs, uploaded (files the store already holds are not sent again)
    /// with a progress bar and submitted as an input list, or <c>--from-store</c>'s prefix, submitted as is. Inputs that
    /// cannot be taken are printed, naming each, and the rest go on (exit code 2 at the end).
    /// </summary>
    static async Task<int> RunImagesJobAsync(ParseResult pr, ConnectionOptions conn, Argument<string[]> inputs, Option<string?> fromStore,
        Option<string> bundle, JobRequest shape, string outDir, bool wait, CancellationToken cancellation)
    {
        var paths = pr.GetValue(inputs) ?? [];
        var prefix = pr.GetValue(fromStore);
        if (paths.Length == 0 && prefix is null)
            throw new ArgumentException("no inputs: name image files or folders to upload, or --from-store <prefix> for images already in the grid's store");
        if (paths.Length > 0 && prefix is not null)
            throw new ArgumentException($"both inputs ({string.Join(", ", paths)}) and --from-store '{prefix}': give one or the other");
        await using var session = await conn.OpenAsync(pr, pr.GetValue(bundle)!);
        if (prefix is not null)
            return await JobRunner.RunAsync(session, shape with { BundleId = session.BundleId, InputPrefix = prefix }, outDir, wait, [], cancellation);

        var upload = await UploadProgressView.RunAsync(progress => session.Client.UploadImagesAsync(paths, progress, cancellation));
        if (upload.ListName is null)
            throw new ArgumentException("no readable image among the inputs: " + string.Join("; ", upload.Problems));
        AnsiConsole.MarkupLineInterpolated(
            $"uploaded {upload.Uploaded} of {upload.Files} files ({upload.BytesSent / 1048576.0:F1} MB sent, {upload.Skipped} already in the store): {upload.ListName}");
        return await JobRunner.RunAsync(session, shape with { BundleId = session.BundleId, InputList = upload.ListName }, outDir, wait, upload.Problems, cancellation);
    }

    public static Command Generate()
    {
        var bundle = CommonOptions.Bundle();
        var outDir = CommonOptions.Out("out/generate");
        var classes = new Option<string>("--classes") { Description = "Comma-separated class indices", DefaultValueFactory = _ => "0,1,2,3,4,5,6,7" };
        var perClass = new Option<int>("--per-class", "--per-prompt") { Description = "Samples per class (or per prompt)", DefaultValueFactory = _ => 2 };
        var prompt = new Option<string[]>("--prompt") { Description = "Text-to-image: a prompt (repeat for more); needs a text-to-image bundle (one with a t2i section)" };
        var promptsFile = new Option<string?>("--prompts") { Description = "Text-to-image: a UTF-8 file of prompts, one per line (blank lines skipped)" };
        var seed = new Option<long>("--seed") { Description = "Run seed; item i's noise depends only on (seed, i)", DefaultValueFactory = _ => 0 };
        // Every sampling option is optional: one not typed is not sent, and the job takes the bundle's default for it.
        var steps = new Option<int?>("--steps") { Description = "Grid points of the ODE solve, at most the grid's Grid:Limits:MaxSteps (default: the bundle's sampler.params.num_steps)" };
        var sampler = new Option<string?>("--sampler") { Description = "euler (official) or heun; for prompts euler or official-loop (default: the bundle's)" };
        var guidance = new Option<string?>("--guidance") { Description = "none, cfg or autoguidance; for prompts none or cfg (default: the bundle's)" };
        var scale = new Option<double?>("--scale") { Description = "Guidance scale, ≤ 1 means no guidance, at most Grid:Limits:MaxGuidanceScale (default: the bundle's guidance.scale)" };
        var tMin = new Option<double?>("--t-min") { Description = "Guidance interval start in [0, 1] (default: the bundle's guidance.t_min)" };
        var tMax = new Option<double?>("--t-max") { Description = "Guidance interval end in [0, 1] (default: the bundle's guidance.t_max)" };
        var size = new Option<int?>("--output-size") { Description = "Resize outputs to this side (pixels)" };
        var bestOf = new Option<int?>("--best-of") { Description = "Best-of-N: sample N candidates per item, score them in latent space, decode only the best --keep (at most Grid:Limits:MaxBestOf)" };
        var keep = new Option<int?>("--keep") { Description = "Best-of-N: candidates kept and decoded per item (default 1; 1..N)" };
        var verifier = new Option<string?>("--verifier") { Description = "Best-of-N: the bundle's verifier to score with (default: the bundle's first; e.g. probe, answer-logits, prompt-confidence)" };
        var keepLatents = new Option<bool>("--keep-latents") { Description = "Best-of-N: also store every candidate's latent as safetensors under candidates/ (for analysis)" };
        var noWait = NoWait();
        var priority = Priority();
        var conn = new ConnectionOptions();
        var cmd = new Command("generate", "Generate class-conditional samples, or text-to-image samples from prompts ([text →] diffusion → [verifier →] decoder → PNGs)")
            { bundle, outDir, classes, perClass, prompt, promptsFile, seed, steps, sampler, guidance, scale, tMin, tMax, size, bestOf, keep, verifier, keepLatents, noWait, priority };
        conn.AddTo(cmd);
        cmd.SetAction((pr, ct) => CommonOptions.Guard(async () =>
        {
            var labels = new List<int>();
            var problems = new List<string>();
            var prompts = (pr.GetValue(prompt) ?? []).Concat(pr.GetValue(promptsFile) is { } file ? PromptList.Read(file) : []).ToArray();
            if (prompts.Length > 0 && pr.GetResult(classes) is { Implicit: false })
                throw new ArgumentException("--classes and --prompt/--prompts: a job is class-conditional or prompted, not both");
            if (prompts.Length == 0)
            {
                foreach (var token in pr.GetValue(classes)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    if (int.TryParse(token, out var y) && y >= 0) labels.Add(y); else problems.Add($"class '{token}' is not a non-negative integer");
                if (labels.Count == 0) throw new ArgumentException("no valid class in --classes: " + string.Join("; ", problems));
            }
            var sampling = new SamplingSpec(pr.GetValue(steps), pr.GetValue(sampler), pr.GetValue(guidance), pr.GetValue(scale),
                pr.GetValue(tMin), pr.GetValue(tMax));
            if (pr.GetValue(bestOf) is null && (pr.GetValue(keep) is not null || pr.GetValue(verifier) is not null || pr.GetValue(keepLatents)))
                throw new ArgumentException("--keep, --verifier and --keep-latents need --best-of N");
            var best = pr.GetValue(bestOf) is int n ? new BestOfSpec(n, pr.GetValue(keep) ?? 1, pr.GetValue(verifier), pr.GetValue(keepLatents)) : null;
            var spec = prompts.Length > 0
                ? GenerateSpec.ForPrompts(prompts, pr.GetValue(perClass), pr.GetValue(seed), sampling, pr.GetValue(size), best)
                : new GenerateSpec(labels.ToArray(), pr.GetValue(perClass), pr.GetValue(seed), sampling, pr.GetValue(size), best);
            await using var session = await conn.OpenAsync(pr, pr.GetValue(bundle)!);
            return await JobRunner.RunAsync(session, new JobRequest(JobKind.Generate, session.BundleId, Generate: spec, Priority: pr.GetValue(priority)),
                pr.GetValue(outDir)!, !pr.GetValue(noWait), problems, ct);
        }));
        return cmd;
    }
}
