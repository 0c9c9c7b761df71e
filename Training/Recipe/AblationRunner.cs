using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Rae;
using RAE.Grid.Training.Data;
using RAE.Grid.Training.Evaluation;
using RAE.Grid.Training.Stage1;
using RAE.Grid.Training.Stage2;

namespace RAE.Grid.Training.Recipe;

/// <summary>
/// The papers' claims at toy scale, each as one ablation with small, equal budgets and the same seeds in every arm
/// (the recipe's <c>ablations</c> section). All arms reuse the trained bundle's frozen encoder, statistics and
/// (except the τ ablation) decoder, and are evaluated unguided with <see cref="Evaluator"/>:
/// <list type="bullet">
/// <item><c>pixel</c>: the same DiT on raw pixels (patch 7 → the same 16 tokens) vs on RAE latents, with the same
/// epochs, batch, schedule and seed — equal compute (the latent arm also pays for the frozen encoder).</item>
/// <item><c>shift</c>: the dimension-dependent time shift (the rule s = √(m/4096)) vs off, plus a stronger shift from an explicit m.</item>
/// <item><c>width</c>: DiT backbone width below vs above the latent token dimension.</item>
/// <item><c>head</c>: DiT^DH (wide shallow head) vs the same backbone as a plain LightningDiT.</item>
/// <item><c>noise-tau</c>: decoders trained with noise augmentation τ = 0 vs 0.8 (reconstruction and generation through the latent DiT).</item>
/// </list>
/// Arms shared between ablations (the latent DiT^DH baseline) are trained once; every arm resumes and caches its result.
/// </summary>
public static class AblationRunner
{
    /// <summary>The ablation names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pixel", "shift", "width", "head", "noise-tau"];

    /// <summary>Runs ablation <paramref name="name"/> and returns one row per arm.</summary>
    public static IReadOnlyList<AblationRow> Run(string name, TrainingRecipe recipe, string bundleDir, string dataDir, string workDir,
        IProgress<TrainingProgress>? progress = null, Action<string>? log = null, CancellationToken ct = default)
    {
        recipe.Validated();
        if (recipe.Threads is { } threads) TorchSharp.torch.set_num_threads(threads);
        log ??= _ => { };
        var bundlePath = Path.Combine(bundleDir, "bundle.json");
        if (!File.Exists(bundlePath))
            throw new FileNotFoundException($"{bundlePath}: the ablations reuse the trained bundle's encoder and decoder; run `rae-grid train` first", bundlePath);
        var ctx = new Context(recipe, Path.GetFullPath(bundleDir), dataDir, Path.GetFullPath(workDir), progress, log, ct);
        IReadOnlyList<AblationRow> rows = name switch
        {
            "pixel" => [ctx.LatentArm("latent DiT^DH", ctx.Base), ctx.PixelArm()],
            "shift" => [ctx.LatentArm($"shift rule, s = {ctx.Base.ShiftFactor:0.###}", ctx.Base),
                        ctx.LatentArm("shift off, s = 1", ctx.Base with { TimeShiftEnabled = false }),
                        ctx.LatentArm($"s = {ctx.Strong.ShiftFactor:0.###} (m = {recipe.Ablations.StrongShiftDim})", ctx.Strong)],
            "width" => [ctx.LatentArm($"backbone width {recipe.Ablations.NarrowWidth} (< latent dim {ctx.LatentDim})", ctx.Narrow()),
                        ctx.LatentArm($"backbone width {ctx.BackboneWidth} (> latent dim {ctx.LatentDim})", ctx.Base)],
            "head" => [ctx.LatentArm("DiT^DH (with head)", ctx.Base), ctx.LatentArm("LightningDiT (no head)", ctx.NoHead())],
            "noise-tau" => recipe.Ablations.NoiseTaus.Select(ctx.NoiseArm).ToList(),
            _ => throw new ArgumentException($"unknown ablation '{name}' (have: {string.Join(", ", Names)})"),
        };
        return rows.Select(r => r with { Ablation = name }).ToList();
    }

    sealed class Context(TrainingRecipe recipe, string bundleDir, string dataDir, string workDir,
        IProgress<TrainingProgress>? progress, Action<string> log, CancellationToken ct)
    {
        readonly RaeBundle _bundle = RaeBundle.Load(Path.Combine(bundleDir, "bundle.json"));
        (LabeledImages Train, LabeledImages Test)? _data;
        LabeledImages Train => (_data ??= RecipeStages.Data(recipe, dataDir, ImageSize)).Train;
        LabeledImages Test => (_data ??= RecipeStages.Data(recipe, dataDir, ImageSize)).Test;
        int ImageSize => _bundle.Stage1.Params.InputImageSize;
        public int LatentDim => _bundle.Misc.LatentSize![0];
        public int BackboneWidth => (int)recipe.Dit.Params["hidden_size"]![0]!;

        /// <summary>
        /// The recipe's DiT at the ablation budget: same schedule shape, no weak checkpoint, and the paper's shift
        /// rule whatever shift the recipe itself picked (the shift ablation is what informs that pick).
        /// </summary>
        public DiTTrainingOptions Base => recipe.Dit with
        {
            TimeShiftEnabled = true, TimeDistShiftDim = null,
            Epochs = recipe.Ablations.DitEpochs,
            ConstantEpochs = recipe.Dit.ConstantEpochs * recipe.Ablations.DitEpochs / recipe.Dit.Epochs,
            DecayEndEpoch = null, WeakStep = null, Seed = recipe.Seed, StoreFloat16 = false,
        };

        /// <summary>A shift above the rule's, from an explicit m.</summary>
        public DiTTrainingOptions Strong => Base with { TimeShiftEnabled = true, TimeDistShiftDim = recipe.Ablations.StrongShiftDim };

        public DiTTrainingOptions Narrow()
        {
            var p = (JsonObject)Base.Params.DeepClone();
            int w = recipe.Ablations.NarrowWidth, heads = (int)p["num_heads"]![0]!;
            while (heads > 1 && (w % heads != 0 || (w / heads) % 4 != 0)) heads--;
            p["hidden_size"]![0] = w;
            p["num_heads"]![0] = heads;
            return Base with { Params = p };
        }

        public DiTTrainingOptions NoHead()
        {
            var p = (JsonObject)Base.Params.DeepClone();
            var lightning = new JsonObject();
            foreach (var (k, v) in p) lightning[k] = v?.DeepClone();
            lightning["hidden_size"] = (int)p["hidden_size"]![0]!;
            lightning["depth"] = (int)p["depth"]![0]!;
            lightning["num_heads"] = (int)p["num_heads"]![0]!;
            return Base with { Target = "LightningDiT", Params = lightning };
        }

        EvaluationOptions Eval => new(recipe.Ablations.EvalReconstructions, recipe.Ablations.EvalSamples, Seed: recipe.Seed);

        /// <summary>Trains (or finds) an arm's DiT; returns its folder, training seconds, steps and final loss.</summary>
        (string Dir, double Seconds, long Steps, double Loss) TrainDiT(DiTTrainingOptions options, Func<ImageBatch, TorchSharp.torch.Tensor> toX1)
        {
            var dir = Path.Combine(workDir, "dit-" + RecipeStages.Hash(options));
            var hash = RecipeStages.Hash(new { options, recipe.Dataset, recipe.TrainLimit, bundle = _bundle.Name });
            var trainJson = Path.Combine(dir, "train.json");
            var (seconds, _) = RecipeStages.RunOnce(dir, "dit", hash, () =>
            {
                var result = DiTTraining.Run(options, Train, toX1, dir, dir, progress, ct);
                var loss = result.Losses.Count == 0 ? double.NaN : result.Losses.TakeLast(Math.Min(50, result.Losses.Count)).Average();
                File.WriteAllText(trainJson, JsonSerializer.Serialize(new { steps = result.Steps, final_loss = loss }));
            });
            var e = JsonDocument.Parse(File.ReadAllText(trainJson)).RootElement;
            return (dir, seconds, e.GetProperty("steps").GetInt64(), e.GetProperty("final_loss").GetDouble());
        }

        AblationRow Cached(string dir, string arm, Func<AblationRow> compute)
        {
            var path = Path.Combine(dir, "row.json");
            if (File.Exists(path))
                return JsonSerializer.Deserialize<AblationRow>(File.ReadAllText(path), TrainingRecipe.JsonOptions)! with { Arm = arm };
            var row = compute();
            File.WriteAllText(path, JsonSerializer.Serialize(row, TrainingRecipe.JsonOptions));
            return row;
        }

        /// <summary>A DiT on the bundle's latents, evaluated through a bundle that swaps in its weights.</summary>
        public AblationRow LatentArm(string arm, DiTTrainingOptions options, string? decoderDir = null)
        {
            log($"arm '{arm}': {options.Target} {options.Params.ToJsonString()}");
            string dir;
            double seconds;
            long steps;
            double loss;
            using (var encoder = RecipeStages.FrozenEncoder(bundleDir))
                (dir, seconds, steps, loss) = TrainDiT(options, Stage2Inputs.Latents(encoder));
            var evalDir = decoderDir is null ? dir : Path.Combine(dir, "with-" + Path.GetFileName(decoderDir));
            Directory.CreateDirectory(evalDir);
            return Cached(evalDir, arm, () =>
            {
                var armBundle = ArmBundle(options, dir, evalDir, decoderDir);
                using var model = RaeModel.Load(armBundle);
                var report = Evaluator.Evaluate(model, Train, Test, Eval,
                    new SamplingSettings(NumSteps: recipe.Ablations.EvalSteps, GuidanceMethod: "none", GuidanceScale: 1.0), progress);
                return new AblationRow("", arm, options.Target, steps, seconds, loss, report.Psnr, report.Ssim, report.Fd,
                    report.ProbeAccuracy, report.FdReal);
            });
        }

        /// <summary>bundle.json in <paramref name="evalDir"/>: the trained bundle with this arm's DiT (and decoder).</summary>
        string ArmBundle(DiTTrainingOptions options, string ditDir, string evalDir, string? decoderDir)
        {
            string Rel(string dir, string file) => Path.GetRelativePath(evalDir, Path.Combine(dir, file));
            var p = _bundle.Stage1.Params;
            var bundle = _bundle with
            {
                Name = $"{_bundle.Name}-ablation",
                Stage1 = _bundle.Stage1 with
                {
                    Params = p with
                    {
                        EncoderConfigPath = Rel(bundleDir, p.EncoderConfigPath), EncoderWeightsPath = Rel(bundleDir, p.EncoderWeightsPath),
                        DecoderConfigPath = Rel(decoderDir ?? bundleDir, p.DecoderConfigPath),
                        PretrainedDecoderPath = Rel(decoderDir ?? bundleDir, p.PretrainedDecoderPath),
                        NormalizationStatPath = p.NormalizationStatPath is null ? null : Rel(bundleDir, p.NormalizationStatPath),
                    },
                },
                Stage2 = new ModelSection { Target = options.Target, Params = (JsonObject)options.Params.DeepClone(), Ckpt = Rel(ditDir, DiTTraining.ModelFile) },
                Transport = _bundle.Transport with { Params = _bundle.Transport.Params with { TimeDistType = options.TimeDistType } },
                Guidance = new GuidanceSection { Method = "none", Scale = 1.0 },
                Misc = _bundle.Misc with { TimeDistShiftDim = options.TimeShiftEnabled ? options.TimeDistShiftDim : options.TimeDistShiftBase, TimeDistShiftBase = options.TimeDistShiftBase },
            };
            var path = Path.Combine(evalDir, "bundle.json");
            bundle.Save(path);
            return path;
        }

        /// <summary>The same DiT on raw pixels (3×28×28, patch 7: the same 16 tokens), equal steps, batch and seed.</summary>
        public AblationRow PixelArm()
        {
            var options = Base with { Params = Stage2Inputs.PixelParams(Base.Params, 3, ImageSize, ImageSize / (int)Base.Params["input_size"]!) };
            log($"arm 'pixel DiT^DH': {options.Params.ToJsonString()}");
            var (dir, seconds, steps, loss) = TrainDiT(options, Stage2Inputs.Pixels);
            return Cached(dir, "pixel DiT^DH", () =>
            {
                var section = new ModelSection { Target = options.Target, Params = options.Params, Ckpt = DiTTraining.ModelFile };
                var generator = new PixelSpaceGenerator(PixelSpaceGenerator.LoadModel(section, dir), options.ShiftFactor, recipe.Ablations.EvalSteps);
                using var encoder = RecipeStages.FrozenEncoder(bundleDir);
                var report = new Evaluator(encoder, ImageSize, Eval with { ReconstructionImages = 0 }, progress)
                    .Evaluate(Train, Test, generator.AsDelegate(), _bundle.Misc.NumClasses);
                return new AblationRow("", "pixel DiT^DH", options.Target, steps, seconds, loss, null, null, report.Fd,
                    report.ProbeAccuracy, report.FdReal);
            });
        }

        /// <summary>A decoder trained with noise augmentation τ, evaluated with the baseline latent DiT.</summary>
        public AblationRow NoiseArm(double tau)
        {
            var section = recipe.Decoder with { Epochs = recipe.Ablations.DecoderEpochs, NoiseTau = tau, EmaDecay = recipe.Ablations.DecoderEmaDecay,
                WarmupEpochs = Math.Min(recipe.Decoder.WarmupEpochs, recipe.Ablations.DecoderEpochs),
                DiscStart = recipe.Decoder.DiscStart * recipe.Ablations.DecoderEpochs / recipe.Decoder.Epochs,
                GanStart = recipe.Decoder.GanStart * recipe.Ablations.DecoderEpochs / recipe.Decoder.Epochs };
            var dir = Path.Combine(workDir, "decoder-" + RecipeStages.Hash(section));
            var hash = RecipeStages.Hash(new { section, recipe.Seed, recipe.Dataset, recipe.TrainLimit, bundle = _bundle.Name });
            RecipeStages.RunOnce(dir, "decoder", hash, () =>
            {
                log($"arm 'τ = {tau}': decoder for {section.Epochs} epochs");
                using var encoder = RecipeStages.FrozenEncoder(bundleDir, tau, section.NoiseSigma, withStats: false);
                DecoderTraining.Run(encoder, Train, section.ToOptions(recipe.Seed), dir, dir, progress, ct);
            });
            return LatentArm($"τ = {tau}", Base, dir);
        }
    }
}
