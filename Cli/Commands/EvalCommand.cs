using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Rae;
using RAE.Grid.Training.Data;
using RAE.Grid.Training.Evaluation;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// <c>rae-grid eval</c>: measures a bundle in this process (no grid): reconstruction PSNR/SSIM, the Fréchet distance
/// of generated samples in the encoder's pooled-feature space (with the real-vs-real floor) and the linear-probe
/// accuracy of generated samples against their conditioning labels. <c>--json</c> prints exactly one JSON object on
/// stdout (progress hidden, errors on stderr). A text-to-image bundle (one with a <c>t2i</c> section) is measured by
/// prompt-following instead (<see cref="T2IEvalView"/>).
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var bundle = CommonOptions.LocalBundle();
        var data = CommonOptions.LabelledData();
        var recon = new Option<int>("--recon") { Description = "Test images to reconstruct for PSNR/SSIM", DefaultValueFactory = _ => 1000 };
        var samples = new Option<int>("--samples") { Description = "Images to generate (and real images per split) for FD and the probe", DefaultValueFactory = _ => 1000 };
        var steps = new Option<int?>("--steps") { Description = "Sampler steps (default: the bundle's)" };
        var scale = new Option<double?>("--scale") { Description = "Guidance scale (default: the bundle's)" };
        var guidance = new Option<string?>("--guidance") { Description = "none, cfg or autoguidance (default: the bundle's)" };
        var batch = new Option<int>("--batch-size") { Description = "Images per batch", DefaultValueFactory = _ => 50 };
        var seed = new Option<long>("--seed") { Description = "Seed of the generated samples", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout instead of progress bars and a table" };
        var bestOf = new Option<string?>("--best-of")
        {
            Description = "Best-of-N evaluation instead of the plain one: N candidates per group (or a list, e.g. 4,8,16,32, sharing the candidates), selected in latent space by --verifier, judged by a pixel-space classifier and FD (a text-to-image bundle always runs its test-time-scaling table, default 4,8,16)",
        };
        var keep = new Option<int>("--keep") { Description = "With --best-of: images kept (decoded) per group", DefaultValueFactory = _ => BestOfEvalView.DefaultKeep };
        var verifier = new Option<string?>("--verifier") { Description = "With --best-of: the bundle's verifier to select with (default: its first); for a text-to-image bundle a name, a comma list or all (default)" };
        var groups = new Option<int>("--groups") { Description = "With --best-of: selection groups, balanced over the classes (group g has class g mod K)", DefaultValueFactory = _ => BestOfEvalView.DefaultGroups };
        var classifierDefaults = new PixelClassifierOptions();
        var classifierImages = new Option<int>("--classifier-images") { Description = "With --best-of: real train images the pixel-space evaluation classifier is trained on", DefaultValueFactory = _ => classifierDefaults.TrainImages };
        var classifierEpochs = new Option<int>("--classifier-epochs") { Description = "With --best-of: epochs of the pixel-space evaluation classifier", DefaultValueFactory = _ => classifierDefaults.Epochs };
        var cmd = new Command("eval", "Evaluate a bundle: reconstruction PSNR/SSIM, Fréchet distance and linear-probe accuracy of its samples; or best-of-N selection (--best-of)")
            { bundle, data, recon, samples, steps, scale, guidance, batch, seed, json, bestOf, keep, verifier, groups, classifierImages, classifierEpochs };
        cmd.SetAction(async (pr, ct) =>
        {
            var asJson = pr.GetValue(json);
            try
            {
                var options = new EvaluationOptions(pr.GetValue(recon), pr.GetValue(samples), pr.GetValue(batch), pr.GetValue(seed)).Validate();
                var sampling = new SamplingSettings(NumSteps: pr.GetValue(steps), GuidanceMethod: pr.GetValue(guidance), GuidanceScale: pr.GetValue(scale));
                var bundleFile = CommonOptions.BundleFile(pr.GetValue(bundle));
                if (T2IEvalView.IsTextToImage(bundleFile)) // prompt-following and the test-time-scaling table instead
                    return await T2IEvalView.RunAsync(bundleFile, pr.GetValue(data)!, T2IEvalView.Options(pr.GetValue(bestOf), pr.GetValue(keep),
                        pr.GetValue(groups), pr.GetValue(verifier), pr.GetValue(batch), pr.GetValue(seed),
                        classifierDefaults with { TrainImages = pr.GetValue(classifierImages), Epochs = pr.GetValue(classifierEpochs) },
                        pr.GetValue(steps), pr.GetValue(scale)), asJson, ct);
                if (pr.GetValue(bestOf) is { } ns)
                    return await BestOfEvalView.RunAsync(bundleFile, pr.GetValue(data)!, BestOfEvalView.Options(ns, pr.GetValue(keep),
                        pr.GetValue(groups), pr.GetValue(verifier), pr.GetValue(batch), pr.GetValue(seed),
                        classifierDefaults with { TrainImages = pr.GetValue(classifierImages), Epochs = pr.GetValue(classifierEpochs) }), sampling, asJson, ct);
                return await RunAsync(bundleFile, pr.GetValue(data)!, options, sampling, asJson);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FileNotFoundException or DirectoryNotFoundException
                                          or InvalidDataException or BundleValidationException or KeyNotFoundException)
            {
                Stderr.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    static readonly IAnsiConsole Stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    static async Task<int> RunAsync(string bundlePath, string dataDir, EvaluationOptions options, SamplingSettings sampling, bool asJson)
    {
        using var model = RaeModel.Load(bundlePath);
        sampling = sampling.Resolve(model.Bundle); // throws naming every bad setting before any work
        var steps = sampling.NumSteps!.Value;
        var skipped = new List<string>();
        var (train, test, kind) = DatasetSplits.Load(dataDir, model.ImageSize, options.Samples,
            Math.Max(options.Samples, options.ReconstructionImages), skipped);
        foreach (var s in skipped) Stderr.MarkupLineInterpolated($"[yellow]skipped[/] {s}");

        EvaluationReport report;
        if (asJson) report = Evaluator.Evaluate(model, train, test, options, sampling);
        else
        {
            AnsiConsole.MarkupLineInterpolated($"evaluating {model.Bundle.Name} ({bundlePath}) on {kind} {dataDir}: {options.ReconstructionImages} reconstructions, {options.Samples} samples, {steps} steps");
            if (model.Bundle.RandomWeights) AnsiConsole.MarkupLine(CommonOptions.RandomWeightsNotice);
            report = await TrainingProgressView.RunAsync(p => Evaluator.Evaluate(model, train, test, options, sampling, p));
        }

        if (asJson)
        {
            var o = new JsonObject
            {
                ["psnr"] = Number(report.Psnr), ["ssim"] = Number(report.Ssim), ["fd"] = Number(report.Fd),
                ["probe_accuracy"] = Number(report.ProbeAccuracy), ["fd_real"] = Number(report.FdReal),
                ["probe_test_accuracy"] = Number(report.ProbeTestAccuracy), ["samples"] = report.Samples,
                ["recon_images"] = report.ReconstructionImages, ["steps"] = steps, ["seconds"] = Number(report.Seconds),
                ["bundle"] = model.Bundle.Name, ["random_weights"] = model.Bundle.RandomWeights, ["data"] = kind,
            };
            Console.Out.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            return 0;
        }
        var table = new Table().AddColumns("metric", "value", "what it is");
        table.AddRow("PSNR", Fmt(report.Psnr, "F2") + " dB", $"encode→decode of {report.ReconstructionImages} test images");
        table.AddRow("SSIM", Fmt(report.Ssim, "F4"), "same reconstructions (Gaussian 11×11, σ 1.5)");
        table.AddRow("FD", Fmt(report.Fd, "F4"), $"{report.Samples} samples vs test images, encoder pooled features");
        table.AddRow("FD real", Fmt(report.FdReal, "F4"), "train vs test images: the floor for FD");
        table.AddRow("probe accuracy", Fmt(report.ProbeAccuracy, "P1"), "linear probe on test latents, applied to samples vs their labels");
        table.AddRow("probe test accuracy", Fmt(report.ProbeTestAccuracy, "P1"), "the probe on its own training data (not held out)");
        table.AddRow("time", $"{report.Seconds:F1} s", "");
        AnsiConsole.Write(table);
        return 0;
    }

    static JsonNode? Number(double? v) => v is { } d && double.IsFinite(d) ? JsonValue.Create(d) : null;

    static string Fmt(double? v, string format) => v is { } d ? d.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
