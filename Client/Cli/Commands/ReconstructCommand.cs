using System.CommandLine;
using System.Diagnostics;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Imaging;
using Spectre.Console;
using static TorchSharp.torch;

namespace RAE.Grid.Cli.Commands;

/// <summary><c>rae-grid reconstruct</c>: images → encoder → decoder → PNGs, a contact sheet (original | reconstruction) and a manifest.</summary>
internal static class ReconstructCommand
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tga", ".gif"];

    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Image files or folders of images", Arity = ArgumentArity.OneOrMore };
        var bundle = CommonOptions.Bundle();
        var outDir = CommonOptions.Out("out/reconstruct");
        var device = CommonOptions.Device();
        var dtype = CommonOptions.DType();
        var batch = new Option<int>("--batch-size") { Description = $"Images per forward pass (1..{SampleCommand.MaxBatchSize})", DefaultValueFactory = _ => 8 };
        var cmd = new Command("reconstruct", "Encode images with the frozen encoder and decode them back") { inputs, bundle, outDir, device, dtype, batch };
        cmd.SetAction(pr =>
        {
            var batchSize = pr.GetValue(batch);
            if (batchSize < 1 || batchSize > SampleCommand.MaxBatchSize)
                throw new ArgumentException($"--batch-size must be between 1 and {SampleCommand.MaxBatchSize}, got {batchSize}");
            var files = Gather(pr.GetValue(inputs)!, out var missing);
            using var model = CommonOptions.LoadModel(pr.GetValue(bundle)!, pr.GetValue(device), pr.GetValue(dtype));
            return Run(model, pr.GetValue(bundle)!, files, missing, pr.GetValue(outDir)!, batchSize);
        });
        return cmd;
    }

    static List<string> Gather(string[] inputs, out List<string> missing)
    {
        missing = [];
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .OrderBy(f => f, StringComparer.Ordinal));
            else if (File.Exists(input)) files.Add(input);
            else missing.Add(input);
        }
        return files;
    }

    static int Run(RaeModel model, string bundlePath, List<string> files, List<string> missing, string outDir, int batchSize)
    {
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(outDir);
        var items = missing.Select((m, i) => new ManifestItem(-1, m, null, null, null, $"{m}: no such file or folder")).ToList();
        foreach (var m in missing) AnsiConsole.MarkupLineInterpolated($"[red]skipped[/] {m}: no such file or folder");
        var pairs = new List<Tensor>();
        var size = model.ImageSize;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"reconstructing {files.Count} images", maxValue: Math.Max(1, files.Count));
                for (int start = 0; start < files.Count; start += batchSize)
                {
                    using var scope = NewDisposeScope();
                    var batch = new List<(int Index, string File, Tensor Image)>();
                    for (int i = start; i < Math.Min(start + batchSize, files.Count); i++)
                    {
                        try { batch.Add((i, files[i], CenterCrop.Apply(ImageIO.Load(files[i]), size))); }
                        catch (Exception e) when (e is BadImageException or IOException or UnauthorizedAccessException)
                        {
                            // One bad image is reported by name; the rest of the batch goes on.
                            AnsiConsole.MarkupLineInterpolated($"[red]skipped[/] {e.Message}");
                            items.Add(new ManifestItem(i, files[i], null, null, null, e.Message));
                        }
                    }
                    if (batch.Count > 0)
                    {
                        var sw = Stopwatch.StartNew();
                        var originals = stack(batch.Select(b => b.Image));
                        var recon = model.Reconstruct(originals);
                        var perItem = sw.Elapsed.TotalSeconds / batch.Count;
                        for (int j = 0; j < batch.Count; j++)
                        {
                            var name = $"{batch[j].Index:D5}_{Path.GetFileNameWithoutExtension(batch[j].File)}.png";
                            ImageIO.SavePng(recon[j], Path.Combine(outDir, name));
                            pairs.Add(originals[j].clone().MoveToOuterDisposeScope());
                            pairs.Add(recon[j].clone().MoveToOuterDisposeScope());
                            items.Add(new ManifestItem(batch[j].Index, batch[j].File, null, name, Math.Round(perItem, 4), null));
                        }
                    }
                    task.Increment(Math.Min(batchSize, files.Count - start));
                }
            });
        string? sheet = null;
        if (pairs.Count > 0)
        {
            sheet = "contact-sheet.png";
            using var stacked = stack(pairs);
            using var grid = ImageIO.ContactSheet(stacked, columns: Math.Min(8, pairs.Count));
            ImageIO.SavePng(grid, Path.Combine(outDir, sheet));
            foreach (var t in pairs) t.Dispose();
        }
        items.Sort((a, b) => a.Index.CompareTo(b.Index));
        new RunManifest("reconstruct", bundlePath, model.Bundle.RandomWeights, new()
        {
            ["image_size"] = size, ["device"] = model.Bundle.Compute.Device, ["dtype"] = model.Bundle.Compute.DType,
        }, items, sheet, Math.Round(total.Elapsed.TotalSeconds, 3)).Save(Path.Combine(outDir, "manifest.json"));
        var ok = items.Count(i => i.Error is null);
        var failed = items.Count - ok;
        AnsiConsole.MarkupLineInterpolated($"wrote {ok} reconstructions to {Path.GetFullPath(outDir)} (contact sheet: {sheet ?? "none"}, manifest.json) in {total.Elapsed.TotalSeconds:F1} s; {failed} failed");
        if (model.Bundle.RandomWeights) AnsiConsole.MarkupLine(CommonOptions.RandomWeightsNotice);
        return failed == 0 ? 0 : 2;
    }
}
