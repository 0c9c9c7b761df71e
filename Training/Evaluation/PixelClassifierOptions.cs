namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// Settings of the pixel-space evaluation classifier (<see cref="PixelClassifier"/>). They are part of its cache key,
/// so changing any of them trains a new classifier.
/// </summary>
/// <param name="TrainImages">Real train-split images it is trained on (the first ones; fewer when the split is smaller).</param>
/// <param name="TestImages">Real test-split images its own accuracy is reported on.</param>
/// <param name="Epochs">Passes over the train images.</param>
/// <param name="BatchSize">Images per AdamW step.</param>
/// <param name="LearningRate">AdamW learning rate.</param>
/// <param name="Seed">Seed of the initial weights and the shuffles.</param>
public sealed record PixelClassifierOptions(int TrainImages = 60000, int TestImages = 10000, int Epochs = 2, int BatchSize = 128,
    double LearningRate = 2e-3, long Seed = 0)
{
    /// <summary>Returns this, or throws naming the bad field and its limit.</summary>
    public PixelClassifierOptions Validate()
    {
        if (TrainImages < 2) throw new ArgumentException($"TrainImages: must be at least 2, got {TrainImages}");
        if (TestImages < 1) throw new ArgumentException($"TestImages: must be at least 1, got {TestImages}");
        if (Epochs < 1) throw new ArgumentException($"Epochs: must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize: must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"LearningRate: must be a positive number, got {LearningRate}");
        return this;
    }
}
