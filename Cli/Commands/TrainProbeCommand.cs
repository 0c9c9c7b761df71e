using System.CommandLine;
using System.Globalization;
using RAE.Grid.Models.Rae;
using RAE.Grid.Training.Data;
using RAE.Grid.Training.Verifiers;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// <c>rae-grid train-probe</c>: trains the class-probe latent verifier from a bundle's frozen encoder on a labelled
/// dataset's train split, reports train and held-out test accuracy, and writes it into the bundle
/// (<c>verifier/&lt;name&gt;.safetensors</c> and its <c>verifiers</c> entry in bundle.json). Runs in this process.
/// </summary>
internal static class TrainProbeCommand
{
    public static Command Create()
    {
        var bundle = CommonOptions.LocalBundle();
        var data = CommonOptions.LabelledData();
        var name = new Option<string>("--name") { Description = "The verifier's name in the bundle", DefaultValueFactory = _ => "probe" };
        var defaults = new ProbeTrainingOptions();
        var epochs = new Option<int>("--epochs") { Description = "Passes over the train latents", DefaultValueFactory = _ => defaults.Epochs };
        var noise = new Option<double>("--noise") { Description = "Largest std of the noise added to training latents (normalized units; 0 = none)", DefaultValueFactory = _ => defaults.NoiseStd };
        var trainImages = new Option<int?>("--train-images") { Description = "Train-split images to use (default: all)" };
        var seed = new Option<long>("--seed") { Description = "Seed of shuffles and noise", DefaultValueFactory = _ => defaults.Seed };
        var cmd = new Command("train-probe", "Train the class-probe latent verifier on a bundle's encoder latents and write it into the bundle")
            { bundle, data, name, epochs, noise, trainImages, seed };
        cmd.SetAction((pr, ct) => CommonOptions.Guard(async () =>
        {
            var bundlePath = CommonOptions.BundleFile(pr.GetValue(bundle));
            var options = (defaults with
            {
                Epochs = pr.GetValue(epochs), NoiseStd = pr.GetValue(noise), TrainImages = pr.GetValue(trainImages), Seed = pr.GetValue(seed),
            }).Validate();
            var probeName = pr.GetValue(name)!;
            using var model = RaeModel.Load(bundlePath);
            var skipped = new List<string>();
            var (train, test, kind) = DatasetSplits.Load(pr.GetValue(data)!, model.ImageSize, skipped: skipped);
            foreach (var s in skipped) AnsiConsole.MarkupLineInterpolated($"[yellow]skipped[/] {s}");
            AnsiConsole.MarkupLineInterpolated($"training class probe [bold]{probeName}[/] of {model.Bundle.Name} on {kind} ({options.TrainImages ?? train.Count} train, {test.Count} test images), {options.Epochs} epochs, noise ≤ {options.NoiseStd}");
            var result = await TrainingProgressView.RunAsync(p => ProbeTrainer.Train(model, train, test, probeName, options, p, ct));
            using (result.Probe)
            {
                var description = string.Create(CultureInfo.InvariantCulture,
                    $"Linear probe on the normalized latents, trained by rae-grid train-probe on {kind} ({result.TrainImages} train images, {options.Epochs} epochs, noise std up to {options.NoiseStd}, seed {options.Seed}): train accuracy {result.TrainAccuracy:P1}, held-out test accuracy {result.TestAccuracy:P1}.");
                var written = ProbeTrainer.WriteIntoBundle(bundlePath, result.Probe, description);
                var table = new Table().AddColumns("metric", "value");
                table.AddRow("train accuracy", result.TrainAccuracy.ToString("P2", CultureInfo.InvariantCulture));
                table.AddRow("test accuracy (held out)", result.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture));
                table.AddRow("images", $"{result.TrainImages} train, {result.TestImages} test");
                table.AddRow("time", $"{result.Seconds:F1} s");
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLineInterpolated($"[green]wrote[/] {written} ({ClassProbeVersion(written)}) and the '{probeName}' entry of {bundlePath}");
            }
            return 0;
        }));
        return cmd;
    }

    static string ClassProbeVersion(string path) => Models.Verifiers.ClassProbeVerifier.VersionOf(path);
}
