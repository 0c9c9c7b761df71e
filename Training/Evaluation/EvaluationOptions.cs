namespace RAE.Grid.Training.Evaluation;

/// <summary>How much an <see cref="Evaluator"/> measures.</summary>
/// <param name="ReconstructionImages">Test images reconstructed for PSNR/SSIM (0 skips reconstruction).</param>
/// <param name="Samples">Generated images, and real images per split, for the Fréchet distances and the probe.</param>
/// <param name="BatchSize">Images per encoder/decoder/sampler batch.</param>
/// <param name="Seed">Seed of the generated samples (batch k is sampled with a seed derived from (Seed, k)).</param>
/// <param name="Probe">Linear-probe training settings (null = defaults).</param>
public sealed record EvaluationOptions(int ReconstructionImages = 1000, int Samples = 1000, int BatchSize = 50, long Seed = 0,
    LinearProbeOptions? Probe = null)
{
    /// <summary>Returns this, or throws naming the bad field.</summary>
    public EvaluationOptions Validate()
    {
        if (ReconstructionImages < 0) throw new ArgumentException($"ReconstructionImages: must be >= 0, got {ReconstructionImages}");
        if (Samples < 2) throw new ArgumentException($"Samples: must be at least 2 (a covariance needs two feature vectors), got {Samples}");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize: must be at least 1, got {BatchSize}");
        Probe?.Validate();
        return this;
    }
}
