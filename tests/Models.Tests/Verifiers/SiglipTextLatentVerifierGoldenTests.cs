using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Encoders.Siglip;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Tests.Encoders;
using RAE.Grid.Models.Verifiers;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Verifiers;

/// <summary>
/// The SigLIP-2 text–latent verifier against the golden <c>siglip2_vision</c> + <c>siglip2_text</c> pair: scoring the
/// reference RAE latents against the reference token ids gives the reference <c>logits_per_image</c>.
/// </summary>
public class SiglipTextLatentVerifierGoldenTests(ITestOutputHelper output)
{
    /// <summary>The golden README's tolerance for these cases: max|ours − ref| ≤ 2e-5 · max|ref|.</summary>
    const double RelTol = 2e-5;

    static (SiglipVisionConfig Vision, SiglipTextConfig Text, Dictionary<string, Tensor> Weights,
        Dictionary<string, Tensor> VisionIo, Dictionary<string, Tensor> TextIo) Golden()
    {
        var vision = EncoderTestData.Case("siglip2_vision");
        var text = EncoderTestData.Case("siglip2_text");
        var weights = vision.Read("weights.safetensors").Concat(text.Read("weights.safetensors")).ToDictionary();
        return (SiglipVisionConfig.FromJson(vision["hf_config"]), SiglipTextConfig.FromJson(text["hf_config"]), weights,
            vision.Read("io.safetensors"), text.Read("io.safetensors"));
    }

    void Report(string label, Tensor ours, Tensor reference)
    {
        var abs = (ours.to(ScalarType.Float64) - reference.to(ScalarType.Float64)).abs().max().item<double>();
        output.WriteLine($"{label}: max abs err {abs:E3}, rel {EncoderTestData.RelativeError(ours, reference):E3}");
    }

    [Fact]
    public void Scores_of_the_reference_latents_equal_the_reference_logits_per_image_for_all_pairs()
    {
        using var scope = NewDisposeScope();
        var g = Golden();
        using var verifier = SiglipTextLatentVerifier.Load("golden", "test", g.Vision, g.Text, g.Weights, LatentStats.Identity);
        var latents = g.VisionIo["out.rae_latent_2d"];
        var ids = g.TextIo["in.input_ids"];
        var scores = verifier.ScorePairs(latents, ids);
        var reference = g.TextIo["out.logits_per_image"];

        // One score per (image, text) pair: the case's image rows by its text rows.
        Assert.Equal([latents.shape[0], ids.shape[0]], scores.shape);
        Report("logits_per_image", scores, reference);
        Report("pooler_output (image)", verifier.ImageEmbeds(latents), g.VisionIo["out.pooler_output"]);
        Assert.True(EncoderTestData.RelativeError(scores, reference) <= RelTol);
        Assert.True(EncoderTestData.RelativeError(verifier.ImageEmbeds(latents), g.VisionIo["out.pooler_output"]) <= RelTol);
    }

    [Fact]
    public void Latents_normalized_by_the_bundle_stats_are_de_normalized_before_scoring()
    {
        using var scope = NewDisposeScope();
        var g = Golden();
        var raw = g.VisionIo["out.rae_latent_2d"];
        var shape = raw.shape[1..];
        var gen = new Generator(7);
        var stats = new LatentStats(randn(shape, generator: gen) * 0.3, rand(shape, generator: gen) + 0.5);
        using var verifier = SiglipTextLatentVerifier.Load("golden", "test", g.Vision, g.Text, g.Weights, stats);
        var scores = verifier.ScorePairs(stats.Normalize(raw), g.TextIo["in.input_ids"]);
        Report("logits_per_image via stats", scores, g.TextIo["out.logits_per_image"]);
        Assert.True(EncoderTestData.RelativeError(scores, g.TextIo["out.logits_per_image"]) <= RelTol);
    }

    [Fact]
    public void A_checkpoint_without_the_logit_bias_is_refused_naming_the_key()
    {
        using var scope = NewDisposeScope();
        var g = Golden();
        g.Weights.Remove("logit_bias");
        g.Weights["vision_model.head.extra"] = zeros(1);
        var e = Assert.Throws<StateDictMismatchException>(() =>
            SiglipTextLatentVerifier.Load("golden", "test", g.Vision, g.Text, g.Weights, LatentStats.Identity));
        Assert.Equal(["logit_bias"], e.Missing);
        Assert.Equal(["vision_model.head.extra"], e.Unexpected);
    }
}
