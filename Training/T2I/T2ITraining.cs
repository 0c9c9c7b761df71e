using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.T2I;
using RAE.Grid.Training.Stage2;
using static TorchSharp.torch;

namespace RAE.Grid.Training.T2I;

/// <summary>
/// Scale-RAE's joint training (rae-reference §3.3): one model, two losses per step. The LM loss is cross-entropy on the
/// understanding answers ("Yes"/"No" + <c>&lt;|im_end|&gt;</c> after "Does this image align with the prompt: …?" on a
/// spliced latent) and, optionally, on the <c>&lt;im_start&gt;</c> that follows a generation prompt. The diffusion loss
/// is flow matching of the LightningDiT head on the real latent, conditioned per token on the query states of the same
/// forward through <c>diff_head_projector</c>, with the head's own condition dropout to the learned null. loss = LM +
/// vision_coef × diffusion; AdamW, clipping, EMA; resumable checkpoints; every random draw seeded by (seed, step).
/// </summary>
public static class T2ITraining
{
    /// <summary>The progress phase name.</summary>
    public const string Phase = "t2i";
    /// <summary>The resumable checkpoint, relative to the work folder.</summary>
    public const string CheckpointFile = "t2i/checkpoint.safetensors";

    const long TimeStream = 0x141, NoiseStream = 0x142, DropoutStream = 0x143, InitStream = 0x144;

    /// <summary>A fresh model for <paramref name="recipe"/>, initialised by <see cref="T2IInit"/> from the seed.</summary>
    public static ScaleRaeT2IModel CreateModel(T2IRecipe recipe, Qwen2Config llm, int latentChannels)
    {
        var model = new ScaleRaeT2IModel(llm, recipe.DiTConfig(), latentChannels);
        using var g = DiTTraining.StepGenerator(recipe.Seed, InitStream, 0);
        T2IInit.Initialize(model, g);
        return model;
    }

    /// <summary>
    /// Trains to <c>training.steps</c>, resuming from <c>&lt;workDir&gt;/t2i/checkpoint.safetensors</c> when it exists;
    /// checkpoints every <c>checkpoint_interval</c> steps, at the end and on cancellation (then throws
    /// <see cref="OperationCanceledException"/>), and writes the EMA weights in the official keys to <paramref name="weightsPath"/>.
    /// </summary>
    public static T2ITrainingResult Run(T2IRecipe recipe, T2IData data, Qwen2Tokenizer tokenizer, Qwen2Config llm,
        string weightsPath, string workDir, IProgress<TrainingProgress>? progress = null, Action<string>? log = null,
        CancellationToken ct = default)
    {
        var tr = recipe.Training;
        var channels = (int)data.Latents.shape[1];
        using var model = CreateModel(recipe, llm, channels);
        using var shadow = new ScaleRaeT2IModel(llm, recipe.DiTConfig(), channels);
        var ema = new Ema(model, shadow, tr.EmaDecay, tr.EmaWarmup);
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = tr.Optimizer.Create(parameters);
        var modules = new Dictionary<string, nn.Module> { ["model"] = model, ["ema"] = shadow };
        var optimizers = new Dictionary<string, optim.Optimizer> { ["optimizer"] = optimizer };
        var checkpoint = Path.Combine(workDir, CheckpointFile);
        var fingerprint = recipe.Fingerprint();
        long step = File.Exists(checkpoint) ? TrainingCheckpoint.Load(checkpoint, modules, optimizers, fingerprint).Step : 0;
        if (step > 0) log?.Invoke($"resumed at step {step}");
        ema.Updates = step;
        var schedule = tr.Schedule();
        var batcher = new T2IBatches(tokenizer);
        var (lmLosses, diffLosses) = (new List<double>(), new List<double>());
        model.train();
        while (step < tr.Steps)
        {
            if (ct.IsCancellationRequested)
            {
                TrainingCheckpoint.Save(checkpoint, step, modules, optimizers, fingerprint: fingerprint);
                ct.ThrowIfCancellationRequested();
            }
            var lr = schedule.At(step);
            LrSchedules.Apply(optimizer, lr);
            var (lm, diff, gradNorm) = Step(recipe, model, optimizer, parameters, data, batcher, step);
            ema.Update();
            step++;
            lmLosses.Add(lm);
            diffLosses.Add(diff);
            progress?.Report(new TrainingProgress(Phase, step, tr.Steps, new Dictionary<string, double>
            {
                ["loss"] = lm + tr.VisionCoef * diff, ["lm_loss"] = lm, ["diffusion_loss"] = diff, ["grad_norm"] = gradNorm, ["lr"] = lr,
            }));
            if (step % tr.CheckpointInterval == 0 || step == tr.Steps)
            {
                TrainingCheckpoint.Save(checkpoint, step, modules, optimizers, fingerprint: fingerprint);
                var n = Math.Min(lmLosses.Count, tr.CheckpointInterval);
                log?.Invoke($"step {step}/{tr.Steps}: lm_loss {lmLosses.TakeLast(n).Average():F4}, diffusion_loss {diffLosses.TakeLast(n).Average():F4} (mean of the last {n}), lr {lr:G3}");
            }
        }
        TrainingRun.ExportWeights(shadow, weightsPath, recipe.StoreFloat16, new Dictionary<string, string>
        {
            ["format"] = "pt", ["ema"] = "true", ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        return new T2ITrainingResult(step, lmLosses, diffLosses, weightsPath);
    }

    /// <summary>One optimizer step; returns (LM loss, diffusion loss, pre-clip gradient norm).</summary>
    static (double Lm, double Diffusion, double GradNorm) Step(T2IRecipe recipe, ScaleRaeT2IModel model, optim.Optimizer optimizer,
        TorchSharp.Modules.Parameter[] parameters, T2IData data, T2IBatches batcher, long step)
    {
        var tr = recipe.Training;
        using var scope = NewDisposeScope();
        using var timeGen = DiTTraining.StepGenerator(recipe.Seed, TimeStream, step);
        using var noiseGen = DiTTraining.StepGenerator(recipe.Seed, NoiseStream, step);
        using var dropoutGen = DiTTraining.StepGenerator(recipe.Seed, DropoutStream, step);
        var head = model.Head.diff_head;

        // Generation: prompt → queries → cond; flow matching on the real latent (x_t = (1 − t)·x1 + t·ε, u = ε − x1).
        var (x1, captions) = data.GenerationBatch(step, tr.GenerationBatch);
        var gen = batcher.Generation(model, captions);
        var last = model.Llm.model.Forward(inputsEmbeds: gen.Embeds, attentionMask: gen.Mask).LastHiddenState;
        var cond = model.Head.forward(T2ISequences.QueryStates(last, gen.Ids, model.LatentQueries.shape[0]));
        var t = TimeSamplers.Parse(tr.TimeDistType).Sample(x1.shape[0], timeGen);
        if (tr.TimeShiftEnabled) t = TimeShift.Apply(t, tr.TimeDistShiftDim is { } m ? TimeShift.Factor(m) : head.Shift);
        var eps = randn(x1.shape, generator: noiseGen);
        head.model.y_embedder.DropoutGenerator = dropoutGen;
        Tensor pred;
        try { pred = head.forward(LinearFlowMatching.Interpolate(x1, eps, t), t, cond); }
        finally { head.model.y_embedder.DropoutGenerator = null; }
        var diffusion = (pred - LinearFlowMatching.TargetVelocity(x1, eps)).pow(2).mean();

        // LM: the <im_start> after each generation prompt, and the understanding answers.
        var logits = new List<Tensor>();
        var targets = new List<long>();
        if (tr.ImageStartLoss)
        {
            logits.Add(model.Llm.Logits(stack(gen.Ids.Select((x, i) => last[i, x.Length - 2]).ToArray(), 0)));
            targets.AddRange(gen.Ids.Select(x => x[^1]));
        }
        if (tr.UnderstandingBatch > 0)
        {
            var (lat, caps, match) = data.UnderstandingBatch(step, tr.UnderstandingBatch);
            var features = model.MmProjector.forward(RectifiedFlowDiffHead.ToTokens(lat));
            var und = batcher.Understanding(model, caps, match, features);
            var h = model.Llm.model.Forward(inputsEmbeds: und.Embeds, attentionMask: und.Mask).LastHiddenState;
            var picked = h.reshape(-1, h.shape[2]).index_select(0, tensor(und.LogitIndex));
            logits.Add(model.Llm.Logits(picked));
            targets.AddRange(und.Targets);
        }
        var lm = logits.Count == 0 ? zeros(1).sum() : nn.functional.cross_entropy(cat(logits, 0), tensor(targets.ToArray()));
        var loss = lm + tr.VisionCoef * diffusion;
        optimizer.zero_grad();
        loss.backward();
        var gradNorm = nn.utils.clip_grad_norm_(parameters, tr.ClipGradNorm);
        optimizer.step();
        return (lm.item<float>(), diffusion.item<float>(), gradNorm);
    }
}
