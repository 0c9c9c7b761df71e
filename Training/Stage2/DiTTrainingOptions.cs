using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Loading;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.FlowMatching;

namespace RAE.Grid.Training.Stage2;

/// <summary>
/// Stage-2 training settings, named after the official train.py / training YAML. Defaults are the official
/// DiT^DH recipe (rae-reference §3.2) except the sizes, which the caller chooses.
/// </summary>
public sealed record DiTTrainingOptions
{
    /// <summary>Official target class: "DiTwDDTHead" or "LightningDiT".</summary>
    public string Target { get; init; } = "DiTwDDTHead";
    /// <summary>The model's YAML params, exactly what a bundle's <c>stage_2.params</c> holds.</summary>
    public JsonObject Params { get; init; } = new();
    /// <summary>Epochs over the data set.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Global batch size (official 1024).</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Optimizer (official AdamW lr 2e-4, betas (0.9, 0.95), wd 0).</summary>
    public AdamWSettings Optimizer { get; init; } = new();
    /// <summary>Epochs the lr is held at its base value (the official "warmup_epochs", not a ramp).</summary>
    public double ConstantEpochs { get; init; }
    /// <summary>Epoch where the linear decay reaches <see cref="FinalLrRatio"/>·lr (null = the last epoch).</summary>
    public double? DecayEndEpoch { get; init; }
    /// <summary>Final lr as a fraction of the base lr (official 2e-5 / 2e-4 = 0.1).</summary>
    public double FinalLrRatio { get; init; } = 0.1;
    /// <summary>Max global gradient norm (<c>clip_grad_norm_</c>, official 1.0).</summary>
    public double ClipGradNorm { get; init; } = 1.0;
    /// <summary>EMA decay per step (official 0.9995).</summary>
    public double EmaDecay { get; init; } = 0.9995;
    /// <summary>Ramp the EMA decay over the first steps (see <see cref="Ema.Warmup"/>); off in the official recipe, needed for toy runs.</summary>
    public bool EmaWarmup { get; init; }
    /// <summary>Training time distribution: "logit-normal_0_1" (official) or "uniform".</summary>
    public string TimeDistType { get; init; } = "logit-normal_0_1";
    /// <summary>Whether the dimension-dependent time shift is applied to the training t.</summary>
    public bool TimeShiftEnabled { get; init; } = true;
    /// <summary>m of s = sqrt(m / base); null = C·H·W of the model input (in_channels·input_size²).</summary>
    public long? TimeDistShiftDim { get; init; }
    /// <summary>n of s = sqrt(m / n) (official 4096).</summary>
    public long TimeDistShiftBase { get; init; } = TimeShift.DefaultBase;
    /// <summary>Random horizontal flips of the images (official ADM crop + hflip).</summary>
    public bool HorizontalFlip { get; init; } = true;
    /// <summary>Step after which the EMA weights are written as the AutoGuidance weak model (null = none).</summary>
    public long? WeakStep { get; init; }
    /// <summary>Store the exported weights as float16 (the loaders cast back).</summary>
    public bool StoreFloat16 { get; init; }
    /// <summary>Seed of the initial weights, the data order, flips, times, noise and label dropout.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first bad field (a bad model param: a
    /// <see cref="Models.Checkpoints.ConfigFieldException"/> from <c>params</c>); returns this otherwise.
    /// </summary>
    public DiTTrainingOptions Validated()
    {
        if (!ModelSection.Targets.Contains(Target))
            throw new ArgumentException($"target must be one of {string.Join(", ", ModelSection.Targets)}, got '{Target}'");
        using (Stage2Loader.Build(Target, Params, "params")) { }  // parses and validates the params
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"batch_size must be at least 1, got {BatchSize}");
        Optimizer.Validate();
        if (!(ConstantEpochs >= 0)) throw new ArgumentException($"constant_epochs must be >= 0, got {ConstantEpochs}");
        if (DecayEndEpoch is { } end && !(end >= ConstantEpochs))
            throw new ArgumentException($"decay_end_epoch ({end}) must be >= constant_epochs ({ConstantEpochs})");
        if (!(FinalLrRatio is >= 0 and <= 1)) throw new ArgumentException($"final_lr_ratio must be in [0, 1], got {FinalLrRatio}");
        if (!(ClipGradNorm > 0)) throw new ArgumentException($"clip_grad_norm must be > 0, got {ClipGradNorm}");
        if (!(EmaDecay is >= 0 and <= 1)) throw new ArgumentException($"ema_decay must be in [0, 1], got {EmaDecay}");
        try { TimeSamplers.Parse(TimeDistType); }
        catch (FormatException e) { throw new ArgumentException($"time_dist_type: {e.Message}"); }
        if (TimeDistShiftDim is <= 0) throw new ArgumentException($"time_dist_shift_dim must be positive, got {TimeDistShiftDim}");
        if (TimeDistShiftBase <= 0) throw new ArgumentException($"time_dist_shift_base must be positive, got {TimeDistShiftBase}");
        if (WeakStep is < 1) throw new ArgumentException($"weak_step must be at least 1, got {WeakStep}");
        return this;
    }

    /// <summary>The model's input shape [C, H, W] from its params.</summary>
    public long[] InputShape
    {
        get
        {
            var p = JsonDocument.Parse(Params.ToJsonString()).RootElement;
            var (c, s) = Target == "LightningDiT"
                ? LightningDiTConfig.FromJson(p) is var l ? (l.InChannels, l.InputSize) : default
                : DiTDHConfig.FromJson(p) is var d ? (d.InChannels, d.InputSize) : default;
            return [c, s, s];
        }
    }

    /// <summary>The shift factor the training t gets (1 when the shift is off).</summary>
    public double ShiftFactor => !TimeShiftEnabled ? 1.0
        : TimeShift.Factor(TimeDistShiftDim ?? InputShape.Aggregate(1L, (a, b) => a * b), TimeDistShiftBase);

    /// <summary>The learning-rate schedule over <paramref name="stepsPerEpoch"/>-step epochs.</summary>
    public ConstantThenLinear Schedule(long stepsPerEpoch)
    {
        var lr = Optimizer.Lr;
        var constant = (long)Math.Round(ConstantEpochs * stepsPerEpoch);
        var end = (long)Math.Round((DecayEndEpoch ?? Epochs) * stepsPerEpoch);
        return new ConstantThenLinear(lr, constant, Math.Max(end, constant), lr * FinalLrRatio);
    }
}
