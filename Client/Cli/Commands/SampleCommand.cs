using System.CommandLine;
using System.Diagnostics;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Imaging;
using Spectre.Console;
using static TorchSharp.torch;

namespace RAE.Grid.Cli.Commands;

/// <summary><c>rae-grid sample</c>: class-conditional generation → decoded PNGs, a contact sheet and a manifest.</summary>
internal static class SampleCommand
{
    /// <summary>Most items run through the models in one forward pass (a named limit; memory grows with it).</summary>
    public const int MaxBatchSize = 256;

    public static Command Create()
    {
        var bundle = CommonOptions.Bundle();
        var outDir = CommonOptions.Out("out/sample");
        var device = CommonOptions.Device();
        var dtype = CommonOptions.DType();
        var classes = new Option<string?>("--classes") { Description = "Comma-separated class indices (default: the first 8 classes)" };
        var perClass = new Option<int>("--per-class") { Description = "Samples per class", DefaultValueFactory = _ => 2 };
        var seed = new Option<long>("--seed") { Description = "Run seed; item i's noise depends only on (seed, i)", DefaultValueFactory = _ => 0 };
        var steps = new Option<int?>("--steps") { Description = "Grid points of the ODE solve (bundle default: 50)" };
        var sampler = new Option<string?>("--sampler") { Description = "euler (official) or heun" };
        var guidance = new Option<string?>("--guidance") { Description = "none, cfg or autoguidance (bundle default)" };
        var scale = new Option<double?>("--scale") { Description = "Guidance scale (≤ 1 means no guidance)" };
        var tMin = new Option<double?>("--t-min") { Description = "CFG interval start" };
        var tMax = new Option<double?>("--t-max") { Description = "CFG interval end" };
        var batch = new Option<int>("--batch-size") { Description = $"Items per forward pass (1..{MaxBatchSize})", DefaultValueFactory = _ => 8 };

        var cmd = new Command("sample", "Generate class-conditional samples with a bundle's diffusion model")
            { bundle, outDir, device, dtype, classes, perClass, seed, steps, sampler, guidance, scale, tMin, tMax, batch };
        cmd.SetAction(pr =>
        {
            var batchSize = pr.GetValue(batch);
            if (batchSize < 1 || batchSize > MaxBatchSize)
                throw new ArgumentException($"--batch-size must be between 1 and {MaxBatchSize}, got {batchSize}");
            if (pr.GetValue(perClass) < 1) throw new ArgumentException("--per-class must be at least 1");
            var settings = new SamplingSettings(pr.GetValue(steps), pr.GetValue(sampler), pr.GetValue(guidance),
                pr.GetValue(scale), pr.GetValue(tMin), pr.GetValue(tMax));
            using var model = CommonOptions.LoadModel(pr.GetValue(bundle)!, pr.GetValue(device), pr.GetValue(dtype));
            return Run(model, pr.GetValue(bundle)!, pr.GetValue(outDir)!, pr.GetValue(classes), pr.GetValue(perClass),
                pr.GetValue(seed), settings, batchSize);
        });
        return cmd;
    }

    static int Run(RaeModel model, string bundlePath, string outDir, string? classList, int perClass, long seed,
        SamplingSettings settings, int batchSize)
    {
        var total = Stopwatch.StartNew();
        var numClasses = model.Diffusion?.NumClasses
            ?? throw new InvalidOperationException($"bundle '{model.Bundle.Name}' has no diffusion model (stage_2)");
        var names = model.Bundle.Misc.ClassNames;
        var resolved = settings.Resolve(model.Bundle);
        var problems = resolved.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));

        // Bad class entries are reported by name and skipped; the rest of the batch goes on.
        var items = new List<ManifestItem>();
        var labels = new List<long>();
        var tokens = classList is null ? Enumerable.Range(0, Math.Min(8, numClasses)).Select(i => i.ToString())
            : classList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var token in tokens)
        {
            if (!long.TryParse(token, out var y) || y < 0 || y >= numClasses)
            {
                var err = $"class '{token}' is not an index in 0..{numClasses - 1}";
                AnsiConsole.MarkupLineInterpolated($"[red]skipped[/] {err}");
                items.Add(new ManifestItem(-1, $"class {token}", seed, null, null, err));
                continue;
            }
            labels.AddRange(Enumerable.Repeat(y, perClass));
        }
        Directory.CreateDirectory(outDir);
        var images = new List<Tensor>();
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"sampling {labels.Count} items", maxValue: Math.Max(1, labels.Count));
                for (int start = 0; start < labels.Count; start += batchSize)
                {
                    var n = Math.Min(batchSize, labels.Count - start);
                    var idx = Enumerable.Range(start, n).Select(i => (long)i).ToList();
                    var ys = labels.GetRange(start, n);
                    var sw = Stopwatch.StartNew();
                    using var scope = NewDisposeScope();
                    var latents = model.GenerateLatents(ys, seed, idx, settings);
                    var decoded = model.Decode(latents);
                    var perItem = sw.Elapsed.TotalSeconds / n;
                    for (int j = 0; j < n; j++)
                    {
                        var y = ys[j];
                        var file = $"{idx[j]:D5}_class{y}.png";
                        ImageIO.SavePng(decoded[j], Path.Combine(outDir, file));
                        images.Add(decoded[j].clone().MoveToOuterDisposeScope());
                        var label = names is not null ? $"class {y} ({names[y]})" : $"class {y}";
                        items.Add(new ManifestItem(idx[j], label, seed, file, Math.Round(perItem, 4), null));
                    }
                    task.Increment(n);
                }
            });

        string? sheet = null;
        if (images.Count > 0)
        {
            sheet = "contact-sheet.png";
            using var stacked = stack(images);
            using var grid = ImageIO.ContactSheet(stacked, columns: perClass * Math.Max(1, 8 / perClass));
            ImageIO.SavePng(grid, Path.Combine(outDir, sheet));
            foreach (var t in images) t.Dispose();
        }
        new RunManifest("sample", bundlePath, model.Bundle.RandomWeights, new()
        {
            ["seed"] = seed, ["per_class"] = perClass, ["steps"] = resolved.NumSteps, ["sampler"] = resolved.SamplingMethod,
            ["guidance"] = resolved.GuidanceMethod, ["scale"] = resolved.GuidanceScale, ["t_min"] = resolved.TMin,
            ["t_max"] = resolved.TMax, ["shift"] = model.Shift, ["device"] = model.Bundle.Compute.Device,
            ["dtype"] = model.Bundle.Compute.DType,
        }, items, sheet, Math.Round(total.Elapsed.TotalSeconds, 3)).Save(Path.Combine(outDir, "manifest.json"));

        var ok = items.Count(i => i.Error is null);
        var failed = items.Count - ok;
        AnsiConsole.MarkupLineInterpolated($"wrote {ok} samples to {Path.GetFullPath(outDir)} (contact sheet: {sheet ?? "none"}, manifest.json) in {total.Elapsed.TotalSeconds:F1} s; {failed} failed");
        if (model.Bundle.RandomWeights) AnsiConsole.MarkupLine(CommonOptions.RandomWeightsNotice);
        return failed == 0 ? 0 : 2;
    }
}
