using RAE.Grid.Training.Data;
using RAE.Grid.Models.Rae;

namespace RAE.Grid.Training;

/// <summary>Settings of <see cref="LatentStatistics.Compute(RaeEncoder, LabeledImages, LatentStatisticsOptions, IProgress{TrainingProgress}?, CancellationToken)"/>.</summary>
/// <param name="BatchSize">images per batch (the running average depends on it; official default 256).</param>
/// <param name="Seed">seeds the shuffle and the flips (the official loader shuffles).</param>
/// <param name="HorizontalFlip">stage-2 preprocessing's random flip (on, as the official script).</param>
/// <param name="Method">running average (official) or exact two-pass.</param>
/// <param name="Momentum">the running average's momentum (official 0.1).</param>
/// <param name="Device">torch device the images are moved to (the encoder's).</param>
public sealed record LatentStatisticsOptions(int BatchSize = 256, long Seed = 0, bool HorizontalFlip = true,
    LatentStatisticsMethod Method = LatentStatisticsMethod.RunningAverage, double Momentum = 0.1, string Device = "cpu")
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field; returns this otherwise.</summary>
    public LatentStatisticsOptions Validated()
    {
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be >= 1, got {BatchSize}", nameof(BatchSize));
        if (!(Momentum > 0 && Momentum <= 1)) throw new ArgumentException($"Momentum must be in (0, 1], got {Momentum}", nameof(Momentum));
        if (!Enum.IsDefined(Method)) throw new ArgumentException($"Method {Method} is not a known method", nameof(Method));
        if (string.IsNullOrWhiteSpace(Device)) throw new ArgumentException("Device must be set", nameof(Device));
        return this;
    }
}
