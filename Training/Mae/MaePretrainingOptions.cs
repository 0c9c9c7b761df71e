namespace RAE.Grid.Training.Mae;

/// <summary>
/// Settings of <see cref="MaePretraining"/>. Defaults follow MAE's pre-training recipe (<c>main_pretrain.py</c>):
/// lr = blr·batch/256 with blr 1.5e-4, AdamW betas (0.9, 0.95), weight decay 0.05 (MAE's groups, see
/// <see cref="MaeParameterGroups"/>), a linear warmup over 5 % of the steps (MAE: 40 of 800 epochs) then a half-cosine
/// to <see cref="MinLr"/> 0, mask ratio and norm_pix_loss from <see cref="Model"/> (the toy: 0.75, true); the data
/// augmentation is the random horizontal flip only (MAE also random-resize-crops).
/// </summary>
/// <param name="WorkDirectory">where <c>mae/checkpoint.safetensors</c> is kept (rerunning resumes from it).</param>
/// <param name="OutputDirectory">where <c>encoder/config.json</c> and <c>encoder/model.safetensors</c> are written.</param>
/// <param name="Model">architecture; null = <see cref="ViTMAEPreTrainingConfig.Toy"/>.</param>
/// <param name="BatchSize">images per step.</param>
/// <param name="Epochs">passes over the training set.</param>
/// <param name="MaxSteps">optional cap on the total steps (the schedule is laid out over the capped total).</param>
/// <param name="BaseLr">MAE's blr; the lr is blr·batch/256 unless <paramref name="Lr"/> is given.</param>
/// <param name="Lr">absolute peak learning rate (overrides <paramref name="BaseLr"/>).</param>
/// <param name="MinLr">the cosine's final learning rate.</param>
/// <param name="WarmupFraction">share of the total steps spent in the linear warmup.</param>
/// <param name="WeightDecay">AdamW weight decay of the decayed group.</param>
/// <param name="Beta1">AdamW β1.</param>
/// <param name="Beta2">AdamW β2.</param>
/// <param name="ExemptTokensFromWeightDecay">also exempt cls/mask tokens from weight decay (MAE pre-training does not).</param>
/// <param name="HorizontalFlip">random left-right flips.</param>
/// <param name="Seed">seeds the initialization, the epoch order and flips, and the per-step masking noise.</param>
/// <param name="ExportFloat16">store the exported weights as fp16 (half the size; loading casts back).</param>
/// <param name="Device">torch device, e.g. "cpu" or "cuda:0".</param>
public sealed record MaePretrainingOptions(
    string WorkDirectory,
    string OutputDirectory,
    ViTMAEPreTrainingConfig? Model = null,
    int BatchSize = 256,
    int Epochs = 1,
    long? MaxSteps = null,
    double BaseLr = 1.5e-4,
    double? Lr = null,
    double MinLr = 0,
    double WarmupFraction = 0.05,
    double WeightDecay = 0.05,
    double Beta1 = 0.9,
    double Beta2 = 0.95,
    bool ExemptTokensFromWeightDecay = false,
    bool HorizontalFlip = true,
    long Seed = 0,
    bool ExportFloat16 = false,
    string Device = "cpu")
{
    /// <summary>The architecture used (<see cref="Model"/> or the toy).</summary>
    public ViTMAEPreTrainingConfig ModelConfig => Model ?? ViTMAEPreTrainingConfig.Toy;

    /// <summary>The peak learning rate: <see cref="Lr"/>, or blr·batch/256.</summary>
    public double PeakLr => Lr ?? BaseLr * BatchSize / 256.0;

    /// <summary>The resumable checkpoint's path.</summary>
    public string CheckpointPath => Path.Combine(WorkDirectory, "mae", "checkpoint.safetensors");

    /// <summary>The exported encoder folder.</summary>
    public string EncoderDirectory => Path.Combine(OutputDirectory, "encoder");

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field; returns this otherwise.</summary>
    public MaePretrainingOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(WorkDirectory)) throw new ArgumentException("WorkDirectory must be set", nameof(WorkDirectory));
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new ArgumentException("OutputDirectory must be set", nameof(OutputDirectory));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be >= 1, got {BatchSize}", nameof(BatchSize));
        if (Epochs < 1) throw new ArgumentException($"Epochs must be >= 1, got {Epochs}", nameof(Epochs));
        if (MaxSteps is < 1) throw new ArgumentException($"MaxSteps must be >= 1 when set, got {MaxSteps}", nameof(MaxSteps));
        if (!(BaseLr > 0)) throw new ArgumentException($"BaseLr must be > 0, got {BaseLr}", nameof(BaseLr));
        if (Lr is { } lr && !(lr > 0)) throw new ArgumentException($"Lr must be > 0 when set, got {lr}", nameof(Lr));
        if (!(MinLr >= 0) || MinLr > PeakLr) throw new ArgumentException($"MinLr must be in [0, peak lr {PeakLr}], got {MinLr}", nameof(MinLr));
        if (WarmupFraction is < 0 or >= 1 || double.IsNaN(WarmupFraction))
            throw new ArgumentException($"WarmupFraction must be in [0, 1), got {WarmupFraction}", nameof(WarmupFraction));
        if (!(WeightDecay >= 0)) throw new ArgumentException($"WeightDecay must be >= 0, got {WeightDecay}", nameof(WeightDecay));
        if (Beta1 is < 0 or >= 1) throw new ArgumentException($"Beta1 must be in [0, 1), got {Beta1}", nameof(Beta1));
        if (Beta2 is < 0 or >= 1) throw new ArgumentException($"Beta2 must be in [0, 1), got {Beta2}", nameof(Beta2));
        if (string.IsNullOrWhiteSpace(Device)) throw new ArgumentException("Device must be set", nameof(Device));
        ModelConfig.Validated();
        return this;
    }
}
