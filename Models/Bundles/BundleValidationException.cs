namespace RAE.Grid.Models.Bundles;

/// <summary>Raised when a bundle file is invalid; <see cref="Problems"/> lists every problem found, not just the first.</summary>
public sealed class BundleValidationException(string path, IReadOnlyList<string> problems)
    : Exception($"{path}: {problems.Count} problem(s):\n  - " + string.Join("\n  - ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
