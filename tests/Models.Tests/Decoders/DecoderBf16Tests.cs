using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Tests.Golden;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Decoders;

/// <summary>The decoder in bf16 against fp32, with the rae_decoder reference weights and latents.</summary>
public class DecoderBf16Tests(ITestOutputHelper output)
{
    // bf16 keeps 8 significant bits (unit roundoff 2^-9 ≈ 2e-3); a few layers of rounding stay near 1e-2 of the
    // output scale. A wrong cast (e.g. a table left in another dtype, or fp16 overflow) lands far above this.
    const double MaxRelativeError = 3e-2;

    static string CaseDir()
    {
        var root = GoldenCase.Root;
        var dir = Directory.Exists(root)
            ? Directory.GetDirectories(root).FirstOrDefault(d =>
                File.Exists(Path.Combine(d, "config.json")) && new GoldenCase(d).Name == "rae_decoder")
            : null;
        return dir ?? throw new DirectoryNotFoundException($"reference case rae_decoder not found under {root} (set RAE_GOLDEN_DIR)");
    }

    static double Relative(Tensor ours, Tensor reference)
    {
        var o = ours.to(ScalarType.Float64);
        var r = reference.to(ScalarType.Float64);
        return (o - r).abs().max().item<double>() / r.abs().max().item<double>();
    }

    [Fact]
    public void Decoder_in_bf16_stays_close_to_fp32()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var c = new GoldenCase(CaseDir());
        var weights = c.Read("weights.safetensors");
        var io = c.Read("io.safetensors");
        var baseConfig = DecoderConfig.FromJson(c["vit_mae_config"]);
        var config = baseConfig.ForRae(baseConfig.HiddenSize, c["num_patches"].GetInt32(), baseConfig.PatchSize);
        var stats = new LatentStats(null, io["in.latent_var"]);
        var pixels = PixelNormalization.ImageNet;

        RaeDecoder Build(ScalarType dtype)
        {
            var d = new GeneralDecoder(config);
            d.LoadCheckpoint(weights, "weights.safetensors");
            d.eval();
            d.to(dtype);
            return new RaeDecoder(d, stats, pixels);
        }

        var fp32 = Build(ScalarType.Float32);
        var bf16 = Build(ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, bf16.Decoder.decoder_pos_embed.dtype);
        var latent = io["in.latent_normalized"];

        var logits32 = fp32.DecodeLogits(latent);
        var logitsBf16 = bf16.DecodeLogits(latent);
        var tokensOnlyBf16 = bf16.Decoder.forward(io["mid.tokens"].to(ScalarType.BFloat16));
        var image32 = fp32.LogitsToImage(logits32);
        var imageBf16 = bf16.LogitsToImage(logitsBf16);

        Assert.Equal(ScalarType.Float32, logitsBf16.dtype); // cast back to the latent's dtype
        Assert.Equal(ScalarType.BFloat16, tokensOnlyBf16.dtype);
        var errors = new (string Name, double Rel)[]
        {
            ("logits bf16 vs fp32", Relative(logitsBf16, logits32)),
            ("logits bf16 vs fp64 reference", Relative(logitsBf16, io["out.logits"])),
            ("image bf16 vs fp32", Relative(imageBf16, image32)),
            ("image bf16 vs fp64 reference", Relative(imageBf16, io["out.image"])),
            ("logits bf16 from bf16 tokens vs fp32", Relative(tokensOnlyBf16, logits32)),
        };
        foreach (var (name, rel) in errors) output.WriteLine($"{name,-40} max|err|/max|ref| = {rel:E2}");
        Assert.All(errors, e => Assert.True(e.Rel < MaxRelativeError, $"{e.Name}: {e.Rel:E2} >= {MaxRelativeError:E0}"));
        Assert.All(errors, e => Assert.True(e.Rel > 0, $"{e.Name}: zero error, bf16 did not run"));
    }
}
