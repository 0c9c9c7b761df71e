using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary>The official <c>stage_1</c> block: the RAE (frozen encoder + decoder + stats).</summary>
public sealed record Stage1Section
{
    public static readonly string[] EncoderClasses = ["Dinov2withNorm", "SigLIP2wNorm", "MAEwNorm"];
    [JsonPropertyName("target")] public string Target { get; init; } = "stage1.RAE";
    [JsonPropertyName("params")] public Stage1Params Params { get; init; } = new();
}
