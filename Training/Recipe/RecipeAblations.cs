namespace RAE.Grid.Training.Recipe;

/// <summary>Budgets of the ablations: small, and the same seeds in every arm.</summary>
public sealed record RecipeAblations
{
    /// <summary>Epochs of each DiT arm (latent or pixel).</summary>
    public int DitEpochs { get; init; } = 1;
    /// <summary>Epochs of each decoder arm (τ ablation).</summary>
    public int DecoderEpochs { get; init; } = 1;
    /// <summary>Generated images per arm for FD and probe accuracy.</summary>
    public int EvalSamples { get; init; } = 1000;
    /// <summary>Test images for PSNR/SSIM.</summary>
    public int EvalReconstructions { get; init; } = 1000;
    /// <summary>Sampler grid points during the ablation evaluation.</summary>
    public int EvalSteps { get; init; } = 50;
    /// <summary>DiT backbone width below the latent dimension.</summary>
    public int NarrowWidth { get; init; } = 32;
    /// <summary>
    /// EMA decay of the decoder arms: a one-epoch run at the recipe's 0.999 would leave the EMA mostly at the initial weights.
    /// </summary>
    public double DecoderEmaDecay { get; init; } = 0.99;
    /// <summary>m of the third shift arm (s = √(m/4096); 16384 gives s = 2).</summary>
    public long StrongShiftDim { get; init; } = 16384;
    /// <summary>Noise-augmentation τ of the two decoder arms.</summary>
    public double[] NoiseTaus { get; init; } = [0, 0.8];

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (DitEpochs < 1) throw new ArgumentException($"ablations.dit_epochs must be >= 1, got {DitEpochs}");
        if (DecoderEpochs < 1) throw new ArgumentException($"ablations.decoder_epochs must be >= 1, got {DecoderEpochs}");
        if (EvalSamples < 10) throw new ArgumentException($"ablations.eval_samples must be >= 10, got {EvalSamples}");
        if (EvalReconstructions < 1) throw new ArgumentException($"ablations.eval_reconstructions must be >= 1, got {EvalReconstructions}");
        if (EvalSteps < 2) throw new ArgumentException($"ablations.eval_steps must be >= 2, got {EvalSteps}");
        if (DecoderEmaDecay is < 0 or >= 1) throw new ArgumentException($"ablations.decoder_ema_decay must be in [0, 1), got {DecoderEmaDecay}");
        if (StrongShiftDim < 1) throw new ArgumentException($"ablations.strong_shift_dim must be >= 1, got {StrongShiftDim}");
        if (NarrowWidth < 1) throw new ArgumentException($"ablations.narrow_width must be >= 1, got {NarrowWidth}");
        if (NoiseTaus.Length == 0 || NoiseTaus.Any(t => t < 0)) throw new ArgumentException("ablations.noise_taus must be non-negative values");
    }
}
