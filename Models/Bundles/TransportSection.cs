using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

/// <summary><c>transport.params</c>.</summary>
public sealed record TransportSection
{
    public static readonly string[] PathTypes = ["Linear"];
    public static readonly string[] Predictions = ["velocity"];
    public static readonly string[] TimeDists = ["uniform", "logit-normal_0_1"];
    [JsonPropertyName("params")] public TransportParams Params { get; init; } = new();
}
