using System.Text.Json.Serialization;

namespace RAE.Grid.Models.Bundles;

public sealed record TransportParams
{
    [JsonPropertyName("path_type")] public string PathType { get; init; } = "Linear";
    [JsonPropertyName("prediction")] public string Prediction { get; init; } = "velocity";
    [JsonPropertyName("loss_weight")] public string? LossWeight { get; init; }
    [JsonPropertyName("time_dist_type")] public string TimeDistType { get; init; } = "logit-normal_0_1";
}
