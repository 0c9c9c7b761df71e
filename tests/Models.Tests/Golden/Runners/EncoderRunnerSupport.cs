using System.Text.Json;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>Shared input handling of the encoder golden cases.</summary>
internal static class EncoderRunnerSupport
{
    /// <summary>8-bit images → [0,1] as torchvision ToTensor does: float32(k) / 255 in float32.</summary>
    public static Tensor ImagesFromU8(Tensor u8) => u8.to(ScalarType.Float32) / 255.0f;

    /// <summary>Pixel mean/std from two JSON arrays of a case config.</summary>
    public static PixelNormalization Pixels(JsonElement mean, JsonElement std) =>
        new(mean.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(),
            std.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray());

    /// <summary>The case's latent stats: var from <c>in.latent_var</c>, mean absent (null in the config), eps from <c>stats_eps</c>.</summary>
    public static LatentStats Stats(JsonElement rae, IReadOnlyDictionary<string, Tensor> io)
    {
        var stats = rae.GetProperty("stats");
        Tensor? Pick(string field) => stats.GetProperty(field).ValueKind == JsonValueKind.Null ? null
            : io[stats.GetProperty(field).GetString()!];
        return new LatentStats(Pick("mean"), Pick("var"), rae.GetProperty("stats_eps").GetDouble());
    }
}
