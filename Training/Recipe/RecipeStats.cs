namespace RAE.Grid.Training.Recipe;

/// <summary>The latent statistics section.</summary>
public sealed record RecipeStats
{
    /// <summary>running_average (the official calculate_stat) or two_pass (exact population mean/var).</summary>
    public LatentStatisticsMethod Method { get; init; } = LatentStatisticsMethod.RunningAverage;
    /// <summary>Images per batch.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"stats.batch_size must be >= 1, got {BatchSize}");
    }
}
