namespace RAE.Grid.Training.Recipe;

/// <summary>Timings of one recipe run.</summary>
public sealed record RecipeRunResult(string BundlePath, IReadOnlyList<(string Stage, double Seconds, bool Skipped)> Stages);
