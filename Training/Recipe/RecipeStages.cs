using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Training.Data;
using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Rae;
using RAE.Grid.Training.Mae;

namespace RAE.Grid.Training.Recipe;

/// <summary>
/// What the recipe and the ablations share: the training data, the frozen encoder rebuilt from an exported folder,
/// and the stage markers that let a rerun skip finished stages. A marker holds the hash of the recipe section that
/// produced the stage, so a changed recipe never silently reuses stale weights.
/// </summary>
public static class RecipeStages
{
    /// <summary>
    /// The recipe's dataset as train and test splits (<see cref="DatasetSplits"/>): Fashion-MNIST from
    /// <paramref name="dataDir"/>, or the image folder the recipe names; <c>train_limit</c> caps the training split.
    /// </summary>
    public static (LabeledImages Train, LabeledImages Test) Data(TrainingRecipe recipe, string dataDir, int imageSize)
    {
        var (train, test, _) = DatasetSplits.Load(recipe.Dataset == "fashion-mnist" ? dataDir : recipe.Dataset, imageSize, recipe.TrainLimit);
        return (train, test);
    }

    /// <summary>
    /// The frozen encoder of an exported bundle folder (encoder/ and, when present, stats/stat.safetensors) as an
    /// <see cref="RaeEncoder"/>: eval mode, no noise unless <paramref name="noiseTau"/> is given for decoder training.
    /// </summary>
    public static RaeEncoder FrozenEncoder(string bundleDir, double noiseTau = 0,
        NoiseSigmaDistribution sigma = NoiseSigmaDistribution.Uniform, bool withStats = true)
    {
        var vit = MaeEncoderExport.LoadEncoder(Path.Combine(bundleDir, "encoder"));
        var statsPath = Path.Combine(bundleDir, StatsFile);
        var stats = withStats && File.Exists(statsPath) ? LatentStatsFile.Read(statsPath) : null;
        var encoder = new RaeEncoder(new MAEwNorm(vit), new RaeEncoderOptions(vit.Config.ImageSize, noiseTau, sigma), stats);
        encoder.eval();
        return encoder;
    }

    /// <summary>Bundle-relative path of the latent statistics.</summary>
    public const string StatsFile = "stats/stat.safetensors";

    /// <summary>Hash of a recipe section, recorded in its stage marker.</summary>
    public static string Hash(object section) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(section, section.GetType(), TrainingRecipe.JsonOptions))))[..16];

    /// <summary>
    /// True when <paramref name="stage"/> finished in <paramref name="workDir"/> for this section; throws when it
    /// finished for a different section (a changed recipe reusing a work folder).
    /// </summary>
    public static bool IsDone(string workDir, string stage, string hash)
    {
        var marker = MarkerPath(workDir, stage);
        if (!File.Exists(marker)) return false;
        var recorded = File.ReadAllText(marker).Trim();
        if (recorded != hash)
            throw new InvalidOperationException(
                $"{marker}: stage '{stage}' was trained from a different recipe section ({recorded}, now {hash}); delete {workDir} or pass another --work folder");
        return true;
    }

    /// <summary>Records that <paramref name="stage"/> finished.</summary>
    public static void MarkDone(string workDir, string stage, string hash)
    {
        Directory.CreateDirectory(workDir);
        File.WriteAllText(MarkerPath(workDir, stage), hash);
    }

    /// <summary>
    /// Runs <paramref name="body"/> unless <paramref name="stage"/> already finished for <paramref name="hash"/>, then
    /// marks it done and records its duration. Returns the seconds it took (the recorded ones when skipped; NaN when
    /// none were recorded) and whether it was skipped.
    /// </summary>
    public static (double Seconds, bool Skipped) RunOnce(string workDir, string stage, string hash, Action body)
    {
        var secondsPath = Path.Combine(workDir, stage + ".seconds");
        if (IsDone(workDir, stage, hash))
            return (File.Exists(secondsPath) && double.TryParse(File.ReadAllText(secondsPath), System.Globalization.CultureInfo.InvariantCulture, out var s)
                ? s : double.NaN, true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        body();
        var seconds = clock.Elapsed.TotalSeconds;
        Directory.CreateDirectory(workDir);
        File.WriteAllText(secondsPath, seconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        MarkDone(workDir, stage, hash);
        return (seconds, false);
    }

    static string MarkerPath(string workDir, string stage) => Path.Combine(workDir, stage + ".done");
}
