namespace RAE.Grid.Training;

/// <summary>How <see cref="LatentStatistics"/> turns the latents into a mean and a variance.</summary>
public enum LatentStatisticsMethod
{
    /// <summary>
    /// The official <c>src/calculate_stat.py</c>: a BatchNorm-like running average over the batches with momentum m
    /// (0.1), starting from mean 0 and var 1, fed each batch's mean and POPULATION variance over the batch axis:
    /// mean ← (1−m)·mean + m·mean_b(z), var ← (1−m)·var + m·var_b(z), in float32 (its stats module's buffers). With
    /// one process the official rank sync (mean of means; mean of vars + variance of means) is the identity. This is
    /// an exponential average that weights the last ~1/m batches most, not the data set's statistics; the start
    /// values decay as (1−m)^batches.
    /// </summary>
    RunningAverage,

    /// <summary>
    /// The exact population statistics of all latents: pass 1 mean = Σz/N, pass 2 var = Σ(z − mean)²/N, both
    /// accumulated in float64 (two passes avoid the cancellation of E[z²] − E[z]²). Every batch counts equally,
    /// whatever its order; it differs from <see cref="RunningAverage"/> by the batch-to-batch fluctuation of the
    /// last batches and by the within-batch vs whole-set variance (the latter adds the variance of the batch means).
    /// </summary>
    TwoPass,
}
