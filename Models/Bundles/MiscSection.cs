using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary><c>misc</c>: latent size, classes and the shift's dimensions.</summary>
public sealed record MiscSection
{
    [JsonPropertyName("latent_size")] public int[]? LatentSize { get; init; }
    [JsonPropertyName("num_classes")] public int NumClasses { get; init; } = 1000;
    /// <summary>Human-readable class names (optional; used by the CLI).</summary>
    [JsonPropertyName("class_names")] public string[]? ClassNames { get; init; }
    /// <summary>m in s = sqrt(m/n); defaults to C·H·W of latent_size.</summary>
    [JsonPropertyName("time_dist_shift_dim")] public long? TimeDistShiftDim { get; init; }
    [JsonPropertyName("time_dist_shift_base")] public long TimeDistShiftBase { get; init; } = 4096;
}
