namespace RAE.Grid.Training.T2I;

/// <summary>
/// <c>training</c> of a T2I recipe: Scale-RAE's joint objective, loss = LM loss + <see cref="VisionCoef"/> × flow-matching
/// loss of the diffusion head, with condition dropout to the learned null (the head's <c>class_dropout_prob</c>), AdamW,
/// a constant-then-linear learning rate, gradient clipping and an EMA of the weights, which is what the bundle ships.
/// </summary>
public sealed record T2ITrainingRecipe
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 1000;
    /// <summary>Generation pairs (latent, caption) per step.</summary>
    public int GenerationBatch { get; init; } = 64;
    /// <summary>Understanding pairs (latent, question, Yes/No) per step: the verifier's data, half matching, half not.</summary>
    public int UnderstandingBatch { get; init; } = 32;
    /// <summary>AdamW.</summary>
    public AdamWSettings Optimizer { get; init; } = new(Lr: 5e-4, WeightDecay: 0.0);
    /// <summary>Steps at the base learning rate before the linear decay to <see cref="FinalLrRatio"/> × lr at the end.</summary>
    public int ConstantSteps { get; init; } = 500;
    /// <summary>Final learning rate as a share of the base.</summary>
    public double FinalLrRatio { get; init; } = 0.1;
    /// <summary>Gradient norm clip.</summary>
    public double ClipGradNorm { get; init; } = 1.0;
    /// <summary>Weight of the diffusion loss (Scale-RAE's <c>vision_coef</c>).</summary>
    public double VisionCoef { get; init; } = 1.0;
    /// <summary>Also train the LLM to emit <c>&lt;im_start&gt;</c> after a generation prompt (the released model does).</summary>
    public bool ImageStartLoss { get; init; } = true;
    /// <summary>EMA decay of the shipped weights.</summary>
    public double EmaDecay { get; init; } = 0.999;
    /// <summary>Ramp the EMA decay over the first steps (see <see cref="Ema.Warmup"/>).</summary>
    public bool EmaWarmup { get; init; } = true;
    /// <summary>Time distribution before the latent-size shift (as the official transport).</summary>
    public string TimeDistType { get; init; } = "logit-normal_0_1";
    /// <summary>Apply the official latent-size time shift sqrt(C·L/4096) to the training times.</summary>
    public bool TimeShiftEnabled { get; init; } = true;
    /// <summary>
    /// Latent dimension m of the training time shift sqrt(m/4096), as the class recipe's <c>time_dist_shift_dim</c>; null:
    /// the head's official sqrt(C·L/4096). The base class DiT trained best with a stronger shift than its latent size
    /// gives (more high-noise times, where the condition decides the sample); sampling keeps the official grid.
    /// </summary>
    public long? TimeDistShiftDim { get; init; }
    /// <summary>Write a resumable checkpoint every this many steps (and at the end).</summary>
    public int CheckpointInterval { get; init; } = 200;

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"training.steps must be >= 1, got {Steps}");
        if (GenerationBatch < 1) throw new ArgumentException($"training.generation_batch must be >= 1, got {GenerationBatch}");
        if (UnderstandingBatch < 0) throw new ArgumentException($"training.understanding_batch must be >= 0, got {UnderstandingBatch}");
        try { Optimizer.Validate(); } catch (ArgumentException e) { throw new ArgumentException($"training.optimizer.{e.Message}", e); }
        if (ConstantSteps < 0) throw new ArgumentException($"training.constant_steps must be >= 0, got {ConstantSteps}");
        if (FinalLrRatio is < 0 or > 1) throw new ArgumentException($"training.final_lr_ratio must be in [0, 1], got {FinalLrRatio}");
        if (!(ClipGradNorm > 0)) throw new ArgumentException($"training.clip_grad_norm must be > 0, got {ClipGradNorm}");
        if (!(VisionCoef >= 0)) throw new ArgumentException($"training.vision_coef must be >= 0, got {VisionCoef}");
        if (EmaDecay is < 0 or > 1) throw new ArgumentException($"training.ema_decay must be in [0, 1], got {EmaDecay}");
        try { Models.FlowMatching.TimeSamplers.Parse(TimeDistType); }
        catch (ArgumentException e) { throw new ArgumentException($"training.time_dist_type: {e.Message}", e); }
        if (TimeDistShiftDim is < 1) throw new ArgumentException($"training.time_dist_shift_dim must be >= 1, got {TimeDistShiftDim}");
        if (CheckpointInterval < 1) throw new ArgumentException($"training.checkpoint_interval must be >= 1, got {CheckpointInterval}");
    }

    /// <summary>The learning rate schedule over <see cref="Steps"/>.</summary>
    public ConstantThenLinear Schedule() =>
        new(Optimizer.Lr, Math.Min(ConstantSteps, Steps), Steps, Optimizer.Lr * FinalLrRatio);
}
