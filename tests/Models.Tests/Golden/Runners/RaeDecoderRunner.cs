using System.Text.Json;
using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Case <c>rae_decoder</c>: official <c>GeneralDecoder</c> and <c>RAE.decode</c> at the config's token grid
/// (io.safetensors) and at the 512 setting (io_512.safetensors: 32×32 tokens, weights.safetensors with
/// <c>decoder_pos_embed</c> replaced by the table of weights_512.safetensors). Every dim comes from the config and
/// the tensors.
/// </summary>
public sealed class RaeDecoderRunner : IGoldenCaseRunner
{
    const double RelTol = 2e-5;

    public string Case => "rae_decoder";

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        using var noGrad = no_grad();
        var weights = c.Read("weights.safetensors");
        var pixels = ReadPixelNormalization(c.Config);
        var baseConfig = DecoderConfig.FromJson(c["vit_mae_config"]);
        var encoderWidth = baseConfig.HiddenSize;
        var decoderPatch = baseConfig.PatchSize;

        // 256 path: num_patches from the config.
        var io = c.Read("io.safetensors");
        var rae = Build(baseConfig.ForRae(encoderWidth, c["num_patches"].GetInt32(), decoderPatch), weights, pixels,
            io["in.latent_var"], "weights.safetensors");
        var logits = rae.DecodeLogits(io["in.latent_normalized"]);
        var image = rae.LogitsToImage(logits);
        yield return new("io:out.logits", logits, io["out.logits"], RelTol);
        yield return new("io:out.image", image, io["out.image"], RelTol);
        // The pure permutation from the stored logits, as README §5.3 step 8 suggests checking.
        yield return new("io:image_from_ref_logits", rae.LogitsToImage(io["out.logits"]), io["out.image"], RelTol);

        // 512 path: the decoder grid follows the replaced position table (1 CLS row + num_patches).
        if (!File.Exists(c.PathOf("weights_512.safetensors"))) yield break;
        var weights512 = new Dictionary<string, Tensor>(weights);
        foreach (var (k, t) in c.Read("weights_512.safetensors")) weights512[k] = t;
        var numPatches512 = (int)weights512["decoder_pos_embed"].shape[1] - 1;
        var io512 = c.Read("io_512.safetensors");
        var rae512 = Build(baseConfig.ForRae(encoderWidth, numPatches512, decoderPatch), weights512, pixels,
            io512["in.latent_var"], "weights.safetensors + weights_512.safetensors");
        var image512 = rae512.Decode(io512["in.latent_normalized"]);
        foreach (var key in io512.Keys.Where(k => k.StartsWith("out.image_rows_")))
        {
            // "out.image_rows_A_B" holds image[:, :, A:B, :].
            var bounds = key["out.image_rows_".Length..].Split('_').Select(int.Parse).ToArray();
            yield return new($"io_512:{key}", image512[.., .., bounds[0]..bounds[1]], io512[key], RelTol);
        }
        var full = image512.to(ScalarType.Float64);
        var stats = stack([full.sum(), full.square().sum(), full.min(), full.max()]);
        var statsRef = io512["out.image_stats"];
        yield return new("io_512:out.image_stats", stats, statsRef, RelTol);
        // The sum of squares dominates max|ref| above; check each statistic against its own scale too.
        string[] names = ["sum", "sum_sq", "min", "max"];
        for (var i = 0; i < names.Length; i++)
            yield return new($"io_512:image_stats.{names[i]}", stats[i], statsRef[i], RelTol);
    }

    static RaeDecoder Build(DecoderConfig config, IReadOnlyDictionary<string, Tensor> weights, PixelNormalization pixels,
        Tensor latentVar, string source)
    {
        var decoder = new GeneralDecoder(config);
        decoder.LoadCheckpoint(weights, source);
        decoder.eval();
        return new RaeDecoder(decoder, new LatentStats(null, latentVar), pixels);
    }

    static PixelNormalization ReadPixelNormalization(JsonElement config) => new(
        config.GetProperty("pixel_mean").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
        config.GetProperty("pixel_std").EnumerateArray().Select(e => e.GetSingle()).ToArray());
}
