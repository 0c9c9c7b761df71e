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
/// <c>rae-grid eval</c> on a text-to-image bundle (one with a <c>t2i</c> section): runs <see cref="TextToImageEvaluator"/>
/// and prints the test-time-scaling table, seen vs held-out captions, or (<c>--json</c>) one JSON object with the
/// headline numbers for one N and verifier and the whole table under <c>rows</c>. The pixel classifier is cached
/// under <c>.rae-grid/eval/</c> (<see cref="BestOfEvalView.CacheDir"/>).
/// </summary>
internal static class T2IEvalView
{
    /// <summary>Whether the bundle file has a <c>t2i</c> section (and so is evaluated by prompt-following).</summary>
    public static bool IsTextToImage(string bundlePath) => RaeBundle.Load(bundlePath).T2I is not null;

    /// <summary>
    /// Options from the eval command line: <c>--best-of</c> (default 4,8,16), <c>--verifier</c> (a name, a comma list, or
    /// <c>all</c>/none for every verifier of the bundle).
    /// </summary>
    public static TextToImageEvalOptions Options(string? bestOf, int keep, int groups, string? verifier, int batchSize, long seed,
        PixelClassifierOptions classifier, int? steps, double? scale)
    {
        var ns = bestOf is null ? null : BestOfEvalView.Options(bestOf, keep, groups, null, batchSize, seed, classifier).Ns;
        var verifiers = verifier is null or "all" ? null
            : verifier.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new TextToImageEvalOptions(ns, keep, groups, verifiers, batchSize, seed, Classifier: classifier, Steps: steps, CfgScale: scale).Validate();
    }

    public static async Task<int> RunAsync(string bundlePath, string dataDir, TextToImageEvalOptions options, bool asJson, CancellationToken ct)
    {
        using var model = RaeModel.Load(bundlePath);
        var classifier = options.Classifier ?? new PixelClassifierOptions();
        var (train, test, kind) = DatasetSplits.Load(dataDir, model.ImageSize, classifier.TrainImages, Math.Max(options.RealImages, classifier.TestImages));
        var datasetKey = $"{kind}:{Path.GetFullPath(dataDir)}";
        TextToImageEvalReport report;
        if (asJson) report = TextToImageEvaluator.Evaluate(model, train, test, datasetKey, options, BestOfEvalView.CacheDir, cancellation: ct);
        else
        {
            AnsiConsole.MarkupLineInterpolated($"text-to-image eval of {model.Bundle.Name}: {options.Groups} prompts per split × {options.MaxN} candidates, keep {options.Keep}, N = {string.Join(", ", options.NList)}");
            if (model.Bundle.RandomWeights) AnsiConsole.MarkupLine(CommonOptions.RandomWeightsNotice);
            report = await TrainingProgressView.RunAsync(p => TextToImageEvaluator.Evaluate(model, train, test, datasetKey, options, BestOfEvalView.CacheDir, p, ct));
        }
        var classifierNote = $"pixel classifier {(report.ClassifierCached ? "reused from cache" : "trained and cached")}: {report.ClassifierPath}";
        if (asJson)
        {
            Console.Error.WriteLine(classifierNote);
            var verifier = options.Verifiers?[0] ?? report.Verifiers.Keys.First();
            Console.Out.WriteLine(Json(report, options.MaxN, verifier, model.Bundle).ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            return 0;
        }
        AnsiConsole.MarkupLineInterpolated($"[grey]{classifierNote}[/]");
        AnsiConsole.Write(Table(report));
        AnsiConsole.MarkupLineInterpolated($"prompt accuracy = the pixel classifier agrees with the prompt's class (real test images: {P(report.ClassifierAccuracyRealTest)}); {report.CandidatesSampled} candidates sampled ({report.Steps} steps, cfg {report.CfgScale}), {report.ImagesDecoded} decoded; {report.Seconds:F1} s");
        return 0;
    }

    /// <summary>
    /// The JSON object: headline numbers for (<paramref name="n"/>, <paramref name="verifier"/>) — best-of-N and plain
    /// sampling on seen captions, on held-out templates (trained class words) and on held-out templates and synonyms —
    /// then every row of the table.
    /// </summary>
    public static JsonObject Json(TextToImageEvalReport report, int n, string verifier, RaeBundle bundle)
    {
        const string seen = TextToImageEvalReport.Seen, templates = TextToImageEvalReport.HeldOutTemplates, heldOut = TextToImageEvalReport.HeldOut,
            plain = TextToImageEvalRow.Plain;
        var best = report.Row(seen, verifier, n);
        var rows = new JsonArray(report.Rows.Select(r => (JsonNode)new JsonObject
        {
            ["split"] = r.Split, ["verifier"] = r.Verifier, ["n"] = r.N, ["k"] = r.Keep, ["kept_images"] = r.KeptImages,
            ["accuracy"] = r.PromptAccuracy, ["fd"] = r.Fd, ["decodes_saved"] = r.DecodesSaved, ["mean_score"] = r.MeanScore,
        }).ToArray());
        return new JsonObject
        {
            ["prompt_accuracy_plain"] = report.Row(seen, plain, n).PromptAccuracy,
            ["prompt_accuracy_best_of_n"] = best.PromptAccuracy,
            ["prompt_accuracy_heldout_templates"] = report.Row(templates, verifier, n).PromptAccuracy,
            ["prompt_accuracy_heldout_templates_plain"] = report.Row(templates, plain, n).PromptAccuracy,
            ["prompt_accuracy_heldout_words"] = report.Row(heldOut, verifier, n).PromptAccuracy,
            ["prompt_accuracy_heldout_words_plain"] = report.Row(heldOut, plain, n).PromptAccuracy,
            ["fd"] = best.Fd, ["fd_plain"] = report.Row(seen, plain, n).Fd, ["decodes_saved"] = best.DecodesSaved,
            ["n"] = n, ["k"] = best.Keep, ["verifier"] = verifier, ["groups"] = best.KeptImages / best.Keep,
            ["rows"] = rows,
            ["verifiers"] = new JsonObject(report.Verifiers.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["classifier_accuracy_real_test"] = report.ClassifierAccuracyRealTest, ["classifier_cached"] = report.ClassifierCached,
            ["candidates_sampled"] = report.CandidatesSampled, ["images_decoded"] = report.ImagesDecoded,
            ["steps"] = report.Steps, ["cfg_scale"] = report.CfgScale, ["seconds"] = report.Seconds,
            ["bundle"] = bundle.Name, ["random_weights"] = bundle.RandomWeights,
        };
    }

    // One line per (verifier, N), plain first, with the three splits' numbers side by side.
    static Table Table(TextToImageEvalReport report)
    {
        var table = new Table().AddColumns("selection", "N", "k", "acc seen", "acc held-out templates", "acc held-out words",
            "FD seen", "FD held-out templates", "FD held-out words", "decodes saved");
        foreach (var r in report.Rows.Where(r => r.Split == TextToImageEvalReport.Seen))
        {
            var t = report.Row(TextToImageEvalReport.HeldOutTemplates, r.Verifier, r.N);
            var h = report.Row(TextToImageEvalReport.HeldOut, r.Verifier, r.N);
            table.AddRow(r.Verifier == TextToImageEvalRow.Plain ? "plain" : r.Verifier, I(r.N), I(r.Keep), P(r.PromptAccuracy), P(t.PromptAccuracy),
                P(h.PromptAccuracy), F(r.Fd), F(t.Fd), F(h.Fd), I(r.DecodesSaved));
        }
        return table;
    }

    static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
    static string P(double v) => v.ToString("P1", CultureInfo.InvariantCulture);
    static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
