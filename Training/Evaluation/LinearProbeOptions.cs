namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// Training settings of <see cref="LinearProbe"/>: full-batch Nesterov-accelerated gradient descent from zero
/// weights with the step 1/L of the loss's smoothness bound, for a fixed number of iterations, so the same data gives
/// the same probe and no learning rate needs tuning per feature width.
/// </summary>
/// <param name="Iterations">Full-batch gradient steps.</param>
/// <param name="L2">Weight of ½‖W‖² added to the mean cross-entropy (the bias is not penalized).</param>
public sealed record LinearProbeOptions(int Iterations = 300, double L2 = 1e-4)
{
    /// <summary>Returns this, or throws naming the bad field.</summary>
    public LinearProbeOptions Validate()
    {
        if (Iterations < 1) throw new ArgumentException($"Iterations: must be at least 1, got {Iterations}");
        if (!(L2 >= 0) || double.IsInfinity(L2)) throw new ArgumentException($"L2: must be a non-negative number, got {L2}");
        return this;
    }
}
