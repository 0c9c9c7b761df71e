namespace RAE.Grid.Training.Recipe;

/// <summary>The bundle section.</summary>
public sealed record RecipeBundle
{
    /// <summary>Guidance the bundle samples with: none, cfg or autoguidance (the weak model is the early checkpoint).</summary>
    public string Guidance { get; init; } = "autoguidance";
    /// <summary>Guidance scale.</summary>
    public double Scale { get; init; } = 1.5;
    /// <summary>Sampler grid points (official: 50).</summary>
    public int NumSteps { get; init; } = 50;
    /// <summary>Store weights as float16 to keep the bundle small (the loaders cast to the compute dtype).</summary>
    public bool StoreFloat16 { get; init; } = true;
    /// <summary>Class names (null: the dataset's).</summary>
    public string[]? ClassNames { get; init; }

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (Guidance is not ("none" or "cfg" or "autoguidance"))
            throw new ArgumentException($"bundle.guidance must be none, cfg or autoguidance, got '{Guidance}'");
        if (!(Scale >= 0)) throw new ArgumentException($"bundle.scale must be >= 0, got {Scale}");
        if (NumSteps < 2) throw new ArgumentException($"bundle.num_steps must be >= 2, got {NumSteps}");
    }
}
