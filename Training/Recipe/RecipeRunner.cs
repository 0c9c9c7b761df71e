using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Training.Mae;
using RAE.Grid.Training.Stage1;
using RAE.Grid.Training.Stage2;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Recipe;

/// <summary>
/// Runs a <see cref="TrainingRecipe"/> end to end — MAE pretraining of the encoder, latent statistics, decoder,
/// DiT — and assembles the bundle folder (bundle.json in the official YAML's shape, configs, safetensors weights,
/// README). Every stage resumes from its checkpoint in the work folder, and finished stages are skipped, so an
/// interrupted run loses at most the steps since the last checkpoint.
/// </summary>
public static class RecipeRunner
{
    /// <summary>Runs the recipe; <paramref name="log"/> receives one line per stage.</summary>
    public static RecipeRunResult Run(TrainingRecipe recipe, string dataDir, string outDir, string workDir,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken ct = default)
    {
        recipe.Validated();
        if (recipe.Threads is { } threads) set_num_threads(threads);
        log ??= _ => { };
        var stages = new List<(string, double, bool)>();
        var mae = ViTMAEPreTrainingConfig.FromJson(JsonDocument.Parse(recipe.Encoder.Config.ToJsonString()).RootElement, "encoder.config");
        var imageSize = mae.Encoder.ImageSize;
        var train = RecipeStages.Data(recipe, dataDir, imageSize).Train;
        log($"training data: {train.Count} images {train.Height}×{train.Width}, {train.ClassNames.Count} classes");

        void Stage(string name, object section, Action body)
        {
            var hash = RecipeStages.Hash(new { section, recipe.Seed, recipe.Dataset, recipe.TrainLimit, recipe.Bundle.StoreFloat16 });
            var (seconds, skipped) = RecipeStages.RunOnce(workDir, name, hash, body);
            stages.Add((name, seconds, skipped));
            log(skipped ? $"{name}: done earlier, skipped" : $"{name}: {seconds:F0} s");
        }

        Stage("encoder", recipe.Encoder, () => MaePretraining.Run(train, new MaePretrainingOptions(workDir, outDir, Model: mae,
            BatchSize: recipe.Encoder.BatchSize, Epochs: recipe.Encoder.Epochs, Lr: recipe.Encoder.Lr,
            WarmupFraction: recipe.Encoder.WarmupFraction, WeightDecay: recipe.Encoder.WeightDecay, Seed: recipe.Seed,
            ExportFloat16: recipe.Bundle.StoreFloat16), progress, ct));

        Stage("stats", recipe.Stats, () =>
        {
            using var encoder = RecipeStages.FrozenEncoder(outDir, withStats: false);
            using var stats = LatentStatistics.Compute(encoder, train,
                new LatentStatisticsOptions(recipe.Stats.BatchSize, recipe.Seed, HorizontalFlip: true, Method: recipe.Stats.Method), progress, ct);
            stats.Save(Path.Combine(outDir, RecipeStages.StatsFile));
        });

        Stage("decoder", recipe.Decoder, () =>
        {
            // Trained on raw tokens: the statistics normalize on encode and are undone on decode, so they cancel.
            using var encoder = RecipeStages.FrozenEncoder(outDir, recipe.Decoder.NoiseTau, recipe.Decoder.NoiseSigma, withStats: false);
            DecoderTraining.Run(encoder, train, recipe.Decoder.ToOptions(recipe.Seed, recipe.Bundle.StoreFloat16), workDir, outDir, progress, ct);
        });

        DiTTrainingResult? dit = null;
        var ditOptions = recipe.Dit with { Seed = recipe.Seed, StoreFloat16 = recipe.Bundle.StoreFloat16 };
        Stage("dit", ditOptions, () =>
        {
            using var encoder = RecipeStages.FrozenEncoder(outDir);
            dit = DiTTraining.Run(ditOptions, train, Stage2Inputs.Latents(encoder), outDir, workDir, progress, ct);
        });

        var bundlePath = WriteBundle(recipe, ditOptions, mae, train.ClassNames, outDir);
        WriteReadme(recipe, outDir, stages);
        log($"bundle: {bundlePath}");
        return new RecipeRunResult(bundlePath, stages);
    }

    /// <summary>
    /// The bundle's README: what it is, how it was made (the command and each stage's recorded time), and the
    /// licences of the data it was trained on.
    /// </summary>
    static void WriteReadme(TrainingRecipe recipe, string outDir, IReadOnlyList<(string Stage, double Seconds, bool Skipped)> stages)
    {
        var path = Path.Combine(outDir, "README.md");
        var rows = stages.Select(s => $"| {s.Stage} | {(double.IsNaN(s.Seconds) ? "not recorded" : $"{s.Seconds:F0} s")} |");
        var data = recipe.Dataset == "fashion-mnist"
            ? "Fashion-MNIST (Zalando SE, MIT licence; Xiao, Rasul, Vollgraf 2017), read from the Debian package `dataset-fashion-mnist`. The images are not redistributed here, only weights trained on them."
            : $"the image folder `{recipe.Dataset}`";
        var weights = recipe.Bundle.StoreFloat16 ? "stored as float16, loaded as float32" : "float32";
        string[] lines =
        [
            $"# {recipe.Name}", "", recipe.Description, "", $"Trained from scratch on {data}", "",
            "Reproduce (resumable; finished stages are skipped on a rerun):", "", "```bash",
            $"dotnet run --project Cli -- train --recipe recipes/{recipe.Name}.json", "```", "",
            "| stage | time |", "|---|---|", .. rows, "",
            $"Weights: safetensors in the official key names ({weights}), produced by this repository's code and released under",
            "its licence. `bundle.json` mirrors the official RAE YAML.",
        ];
        File.WriteAllLines(path, lines);
    }

    /// <summary>Writes bundle.json for the trained parts in <paramref name="outDir"/>.</summary>
    public static string WriteBundle(TrainingRecipe recipe, DiTTrainingOptions dit, ViTMAEPreTrainingConfig mae,
        IReadOnlyList<string> classNames, string outDir)
    {
        var latent = dit.InputShape.Select(v => (int)v).ToArray();
        var stage2 = new ModelSection { Target = dit.Target, Params = (JsonObject)dit.Params.DeepClone(), Ckpt = DiTTraining.ModelFile };
        var guidanceModel = recipe.Bundle.Guidance == "autoguidance"
            ? stage2 with { Params = (JsonObject)dit.Params.DeepClone(), Ckpt = DiTTraining.WeakModelFile } : null;
        if (guidanceModel is not null && !File.Exists(Path.Combine(outDir, guidanceModel.Ckpt)))
            throw new InvalidOperationException($"bundle.guidance is autoguidance but {guidanceModel.Ckpt} was not written (set dit.weak_step)");
        var bundle = new RaeBundle
        {
            Name = recipe.Name,
            Description = recipe.Description,
            RandomWeights = false,
            Stage1 = new Stage1Section
            {
                Params = new Stage1Params
                {
                    EncoderCls = "MAEwNorm", EncoderConfigPath = "encoder/config.json", EncoderWeightsPath = "encoder/model.safetensors",
                    EncoderInputSize = mae.Encoder.ImageSize, InputImageSize = mae.Encoder.ImageSize,
                    DecoderConfigPath = "decoder/config.json", DecoderPatchSize = recipe.Decoder.DecoderPatchSize,
                    PretrainedDecoderPath = "decoder/model.safetensors", NoiseTau = 0,
                    NormalizationStatPath = RecipeStages.StatsFile,
                },
            },
            Stage2 = stage2,
            Transport = new TransportSection { Params = new TransportParams { TimeDistType = dit.TimeDistType } },
            Sampler = new SamplerSection { Params = new SamplerParams { NumSteps = recipe.Bundle.NumSteps } },
            Guidance = new GuidanceSection
            {
                Method = recipe.Bundle.Guidance, Scale = recipe.Bundle.Guidance == "none" ? 1.0 : recipe.Bundle.Scale,
                GuidanceModel = guidanceModel,
            },
            Misc = new MiscSection
            {
                LatentSize = latent, NumClasses = classNames.Count, ClassNames = (recipe.Bundle.ClassNames ?? classNames).ToArray(),
                // Shift off is s = 1, i.e. m = n.
                TimeDistShiftDim = dit.TimeShiftEnabled ? dit.TimeDistShiftDim : dit.TimeDistShiftBase,
                TimeDistShiftBase = dit.TimeDistShiftBase,
            },
        };
        var path = Path.Combine(outDir, "bundle.json");
        bundle.Save(path);
        RaeBundle.Load(path); // validates what was written
        return path;
    }
}
