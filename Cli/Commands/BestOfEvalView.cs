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
/// <c>rae-grid eval --best-of N[,N...] --keep k</c>: runs <see cref="BestOfNEvaluator"/> and prints one row per N, as a
/// table or (<c>--json</c>) one JSON object for a single N and an array for a list. The pixel classifier is cached
/// under <c>.rae-grid/eval/</c> in the working directory.
/// </summary>
internal static class BestOfEvalView
{
    /// <summary>Default k of <c>--keep</c>.</summary>
    public const int DefaultKeep = 4;

    /// <summary>
    /// Default <c>--groups</c>: 5 per Fashion-MNIST class, so 200 images are kept per row at k = 4, and N = 32 samples 1,600
    /// candidates (about 0.3 s each with the bundle's 50-step AutoGuidance sampling on 2 CPU cores: some 8 minutes).
    /// </summary>
    public const int DefaultGroups = 50;

    /// <summary>Where the pixel classifier is cached, relative to the working directory.</summary>
    public static readonly string CacheDir = Path.Combine(".rae-grid", "eval");

    /// <summary>Parses <c>--best-of</c> ("16" or "4,8,16,32") into validated options.</summary>
    public static BestOfNOptions Options(string bestOf, int keep, int groups, string? verifier, int batchSize, long seed, PixelClassifierOptions classifier)
    {
        var ns = bestOf.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s =>
            int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new ArgumentException($"--best-of: '{s}' is not a whole number (give N or a list like 4,8,16,32)")).ToArray();
        if (ns.Distinct().Count() != ns.Length) throw new ArgumentException($"--best-of: {bestOf} lists an N twice");
        return new BestOfNOptions(ns, keep, groups, verifier, batchSize, seed, Classifier: classifier).Validate();
    }

    public static async Task<int> RunAsync(string bundlePath, string dataDir, BestOfNOptions options, SamplingSettings sampling, bool asJson,
        CancellationToken ct)
    {
        using var model = RaeModel.Load(bundlePath);
        sampling = sampling.Resolve(model.Bundle);
        var classifier = options.Classifier ?? new PixelClassifierOptions();
        var (train, test, kind) = DatasetSplits.Load(dataDir, model.ImageSize, classifier.TrainImages,
            Math.Max(options.RealImages, classifier.TestImages));
        var datasetKey = $"{kind}:{Path.GetFullPath(dataDir)}";
        BestOfNReport report;
        if (asJson) report = BestOfNEvaluator.Evaluate(model, train, test, datasetKey, options, CacheDir, sampling, cancellation: ct);
        else
        {
            AnsiConsole.MarkupLineInterpolated($"best-of-N on {model.Bundle.Name}: {options.Groups} groups × {options.MaxN} candidates, keep {options.Keep}, N = {string.Join(", ", options.Ns)}");
            if (model.Bundle.RandomWeights) AnsiConsole.MarkupLine(CommonOptions.RandomWeightsNotice);
            report = await TrainingProgressView.RunAsync(p => BestOfNEvaluator.Evaluate(model, train, test, datasetKey, options, CacheDir, sampling, p, ct));
        }
        var classifierNote = $"pixel classifier {(report.ClassifierCached ? "reused from cache" : "trained and cached")}: {report.ClassifierPath}";
        if (asJson)
        {
            Console.Error.WriteLine(classifierNote);
            var rows = report.Rows.Select(r => Row(r, report, model.Bundle.Name)).ToArray();
            JsonNode node = rows.Length == 1 ? rows[0] : new JsonArray(rows);
            Console.Out.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            return 0;
        }
        AnsiConsole.MarkupLineInterpolated($"[grey]{classifierNote}[/]");
        var table = new Table().AddColumns("N", "kept", "pixel acc plain", "pixel acc best-of-N", "FD plain", "FD best-of-N", "decodes saved",
            "score plain", "score best-of-N");
        foreach (var r in report.Rows)
            table.AddRow(r.N.ToString(CultureInfo.InvariantCulture), r.KeptImages.ToString(CultureInfo.InvariantCulture), P(r.ClassifierAccuracyPlain),
                P(r.ClassifierAccuracyBestOfN), F(r.FdPlain), F(r.FdBestOfN), r.DecodesSaved.ToString(CultureInfo.InvariantCulture),
                F(r.VerifierScorePlain), F(r.VerifierScoreBestOfN));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"verifier {report.VerifierName} ({report.VerifierVersion}); pixel classifier accuracy on real test images {P(report.ClassifierAccuracyRealTest)}; {report.CandidatesSampled} candidates sampled, {report.ImagesDecoded} decoded; {report.Seconds:F1} s");
        return 0;
    }

    static JsonObject Row(BestOfNRow r, BestOfNReport report, string bundle) => new()
    {
        ["n"] = r.N, ["keep"] = r.Keep, ["groups"] = r.Groups, ["kept_images"] = r.KeptImages,
        ["classifier_accuracy_plain"] = r.ClassifierAccuracyPlain, ["classifier_accuracy_best_of_n"] = r.ClassifierAccuracyBestOfN,
        ["classifier_accuracy_real_test"] = report.ClassifierAccuracyRealTest,
        ["fd_plain"] = r.FdPlain, ["fd_best_of_n"] = r.FdBestOfN, ["decodes_saved"] = r.DecodesSaved,
        ["verifier_score_plain"] = r.VerifierScorePlain, ["verifier_score_best_of_n"] = r.VerifierScoreBestOfN,
        ["verifier"] = new JsonObject { ["name"] = report.VerifierName, ["version"] = report.VerifierVersion },
        ["candidates_sampled"] = report.CandidatesSampled, ["images_decoded"] = report.ImagesDecoded,
        ["classifier_cached"] = report.ClassifierCached, ["seconds"] = report.Seconds, ["bundle"] = bundle,
    };

    static string P(double v) => v.ToString("P1", CultureInfo.InvariantCulture);
    static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
