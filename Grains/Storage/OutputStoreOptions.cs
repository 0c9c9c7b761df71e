using System.Text.RegularExpressions;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Which output store a silo or client uses, bound from configuration (section "OutputStore"):
/// <c>Kind</c> "local" with <c>LocalPath</c>, or "azure-blob" with <c>ConnectionString</c> and <c>Container</c>.
/// </summary>
public sealed partial class OutputStoreOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "OutputStore";

    /// <summary><see cref="Kind"/> of a <see cref="LocalDirectoryStore"/>.</summary>
    public const string LocalKind = "local";

    /// <summary><see cref="Kind"/> of an <see cref="AzureBlobStore"/>.</summary>
    public const string AzureBlobKind = "azure-blob";

    /// <summary>"local" or "azure-blob" (case-insensitive).</summary>
    public string Kind { get; set; } = LocalKind;

    /// <summary>Root folder of a local store (created when missing).</summary>
    public string? LocalPath { get; set; }

    /// <summary>Storage connection string of an Azure store, e.g. "UseDevelopmentStorage=true" for Azurite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Blob container of an Azure store (created when missing).</summary>
    public string? Container { get; set; }

    /// <summary>Every problem with these options (empty when valid), each naming the field.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (IsKind(LocalKind))
        {
            if (string.IsNullOrWhiteSpace(LocalPath))
                problems.Add($"{nameof(LocalPath)} is required when {nameof(Kind)} is '{LocalKind}'");
        }
        else if (IsKind(AzureBlobKind))
        {
            if (string.IsNullOrWhiteSpace(ConnectionString))
                problems.Add($"{nameof(ConnectionString)} is required when {nameof(Kind)} is '{AzureBlobKind}'");
            if (string.IsNullOrWhiteSpace(Container))
                problems.Add($"{nameof(Container)} is required when {nameof(Kind)} is '{AzureBlobKind}'");
            else if (!ContainerName().IsMatch(Container))
                problems.Add($"{nameof(Container)} '{Container}' is not a valid blob container name " +
                             "(3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)");
        }
        else
        {
            problems.Add($"{nameof(Kind)} '{Kind}' is not one of '{LocalKind}', '{AzureBlobKind}'");
        }
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, one per line, if there are any.</summary>
    public OutputStoreOptions Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
            throw new ArgumentException($"invalid {SectionName} options ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):"
                                        + string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}")));
        return this;
    }

    /// <summary>Whether <see cref="Kind"/> is <paramref name="kind"/> (case-insensitive).</summary>
    public bool IsKind(string kind) => string.Equals(Kind?.Trim(), kind, StringComparison.OrdinalIgnoreCase);

    // Azure's container naming rules: 3-63 chars, [a-z0-9-], starts/ends alphanumeric, no "--".
    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ContainerName();
}
