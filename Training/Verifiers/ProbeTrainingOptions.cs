namespace RAE.Grid.Training.Verifiers;

/// <summary>
/// Settings of <see cref="ProbeTrainer"/>: minibatch AdamW on the frozen encoder's normalized latents of the labelled
/// train split, seeded (shuffles, noise and zero-initialised weights), so the same data gives the same probe.
/// </summary>
/// <param name="Epochs">Passes over the train split's latents.</param>
/// <param name="BatchSize">Latents per optimizer step.</param>
/// <param name="LearningRate">AdamW learning rate.</param>
/// <param name="WeightDecay">AdamW decoupled weight decay.</param>
/// <param name="NoiseStd">
/// Largest std of the Gaussian noise added to each training latent (each row draws its own std uniformly in
/// [0, NoiseStd], in normalized-latent units, which have about unit variance). The diffusion model's latents are not
/// exactly encoder latents; the noise keeps the probe from leaning on fine detail the sampler does not reproduce.
/// 0 trains on clean latents.
/// </param>
/// <param name="TrainImages">Train-split images used (null = all).</param>
/// <param name="TestImages">Held-out test-split images the accuracy is reported on (null = all).</param>
/// <param name="EncodeBatch">Images per encoder batch while computing latents.</param>
/// <param name="Seed">Seed of the shuffles and the noise.</param>
public sealed record ProbeTrainingOptions(int Epochs = 10, int BatchSize = 256, double LearningRate = 1e-3, double WeightDecay = 1e-4,
    double NoiseStd = 0.5, int? TrainImages = null, int? TestImages = null, int EncodeBatch = 500, long Seed = 0)
{
    /// <summary>Returns this, or throws naming the bad field and its limit.</summary>
    public ProbeTrainingOptions Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"Epochs: must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize: must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"LearningRate: must be a positive number, got {LearningRate}");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentException($"WeightDecay: must be a non-negative number, got {WeightDecay}");
        if (!(NoiseStd >= 0) || double.IsInfinity(NoiseStd)) throw new ArgumentException($"NoiseStd: must be a non-negative number, got {NoiseStd}");
        if (TrainImages is < 2) throw new ArgumentException($"TrainImages: must be at least 2, got {TrainImages}");
        if (TestImages is < 1) throw new ArgumentException($"TestImages: must be at least 1, got {TestImages}");
        if (EncodeBatch < 1) throw new ArgumentException($"EncodeBatch: must be at least 1, got {EncodeBatch}");
        return this;
    }
}
