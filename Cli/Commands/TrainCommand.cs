using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RAE.Grid.Training.Data;
using RAE.Grid.Training.Recipe;
using RAE.Grid.Training.T2I;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// <c>rae-grid train</c>: runs a training recipe end to end (MAE encoder → latent stats → decoder → DiT → bundle);
/// <c>rae-grid ablate</c>: one of the recipe's ablations (or all), printed as a table and saved as JSON. Both run in
/// this process (no grid) and resume from their work folders when interrupted.
/// </summary>
internal static class TrainCommand
{
    const string DefaultRecipe = "recipes/fashion-mnist.json";

    public static Command Train()
    {
        var recipe = RecipeOption();
        var outDir = new Option<string?>("--out") { Description = "Bundle folder to write (default: bundles/<recipe name>)" };
        var work = new Option<string?>("--work") { Description = "Checkpoints and stage markers (default: .rae-grid/train/<recipe name>)" };
        var data = DataOption();
        var threads = ThreadsOption();
        var cmd = new Command("train", "Train an RAE from a recipe: MAE encoder, latent stats, decoder, DiT; writes a bundle") { recipe, outDir, work, data, threads };
        cmd.SetAction((pr, ct) => CommonOptions.Guard(async () =>
        {
            if (T2IRecipe.IsT2I(pr.GetValue(recipe)!))
                return await TrainT2I(T2IRecipe.Load(pr.GetValue(recipe)!), pr.GetValue(threads), pr.GetValue(outDir), pr.GetValue(work), pr.GetValue(data)!, ct);
            var r = WithThreads(TrainingRecipe.Load(pr.GetValue(recipe)!), pr.GetValue(threads));
            var output = pr.GetValue(outDir) ?? Path.Combine("bundles", r.Name);
            var workDir = pr.GetValue(work) ?? Path.Combine(".rae-grid", "train", r.Name);
            AnsiConsole.MarkupLineInterpolated($"recipe [bold]{r.Name}[/]: bundle → {Path.GetFullPath(output)}, checkpoints → {Path.GetFullPath(workDir)}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = await TrainingProgressView.RunAsync(p => RecipeRunner.Run(r, pr.GetValue(data)!, output, workDir, p,
                line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"), ct));
            var table = new Table().AddColumns("stage", "seconds");
            foreach (var (stage, seconds, skipped) in result.Stages)
                table.AddRow(stage, skipped ? "done earlier" : seconds.ToString("F0", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"[green]wrote[/] {result.BundlePath} in {clock.Elapsed.TotalMinutes:F1} min");
            return 0;
        }));
        return cmd;
    }

    /// <summary>A <c>"kind": "t2i"</c> recipe: the Scale-RAE joint training on the base bundle's frozen stage 1.</summary>
    static async Task<int> TrainT2I(T2IRecipe r, int? threads, string? outDir, string? work, string data, CancellationToken ct)
    {
        if (threads is { } n) r = (r with { Threads = n }).Validated();
        var output = outDir ?? Path.Combine("bundles", r.Name);
        var workDir = work ?? Path.Combine(".rae-grid", "train", r.Name);
        AnsiConsole.MarkupLineInterpolated($"t2i recipe [bold]{r.Name}[/]: bundle → {Path.GetFullPath(output)}, checkpoints → {Path.GetFullPath(workDir)}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (bundlePath, result) = await TrainingProgressView.RunAsync(p => T2IRecipeRunner.Run(r, data, output, workDir, p,
            line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"), ct));
        AnsiConsole.MarkupLineInterpolated($"[green]wrote[/] {bundlePath} at step {result.Step} in {clock.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    public static Command Ablate()
    {
        var name = new Argument<string>("ablation") { Description = $"{string.Join(", ", AblationRunner.Names)} or all" };
        var recipe = RecipeOption();
        var bundle = new Option<string?>("--bundle") { Description = "Trained bundle folder whose encoder/decoder the arms reuse (default: bundles/<recipe name>)" };
        var work = new Option<string?>("--work") { Description = "Arm checkpoints and cached results (default: .rae-grid/ablations/<recipe name>)" };
        var results = new Option<string>("--results") { Description = "Folder for <ablation>.json and .md", DefaultValueFactory = _ => Path.Combine("docs", "ablations") };
        var data = DataOption();
        var threads = ThreadsOption();
        var cmd = new Command("ablate", "Run an ablation of the recipe at its small budget and print the table") { name, recipe, bundle, work, results, data, threads };
        cmd.SetAction((pr, ct) => CommonOptions.Guard(async () =>
        {
            var r = WithThreads(TrainingRecipe.Load(pr.GetValue(recipe)!), pr.GetValue(threads));
            var which = pr.GetValue(name)!;
            var names = which == "all" ? AblationRunner.Names : [which];
            if (!names.All(AblationRunner.Names.Contains)) throw new ArgumentException($"unknown ablation '{which}' (have: {string.Join(", ", AblationRunner.Names)}, all)");
            var bundleDir = pr.GetValue(bundle) ?? Path.Combine("bundles", r.Name);
            var workDir = pr.GetValue(work) ?? Path.Combine(".rae-grid", "ablations", r.Name);
            var resultsDir = pr.GetValue(results)!;
            Directory.CreateDirectory(resultsDir);
            foreach (var n in names)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var rows = await TrainingProgressView.RunAsync(p => AblationRunner.Run(n, r, bundleDir, pr.GetValue(data)!, workDir, p,
                    line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"), ct));
                var markdown = AblationTable.Markdown(rows);
                File.WriteAllText(Path.Combine(resultsDir, n + ".json"), JsonSerializer.Serialize(rows, TrainingRecipe.JsonOptions));
                File.WriteAllText(Path.Combine(resultsDir, n + ".md"), markdown);
                AnsiConsole.WriteLine(markdown);
                AnsiConsole.MarkupLineInterpolated($"[green]{n}[/]: {clock.Elapsed.TotalMinutes:F1} min; saved {Path.Combine(resultsDir, n + ".json")}");
            }
            return 0;
        }));
        return cmd;
    }

    static Option<string> RecipeOption() => new("--recipe")
    {
        Description = $"Recipe JSON (default: {DefaultRecipe})",
        DefaultValueFactory = _ => CommonOptions.RepositoryFile(DefaultRecipe),
    };

    static Option<int?> ThreadsOption() => new("--threads") { Description = "torch intra-op threads (overrides the recipe's)" };

    static TrainingRecipe WithThreads(TrainingRecipe r, int? threads) =>
        threads is { } n ? (r with { Threads = n }).Validated() : r;

    static Option<string> DataOption() => new("--data")
    {
        Description = "Fashion-MNIST IDX folder",
        DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
    };
}
