using RAE.Grid.Models.Encoders.Siglip;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Encoders;

/// <summary>The full SigLIP model: one checkpoint with vision_model.*, text_model.*, logit_scale and logit_bias.</summary>
public class SiglipModelTests
{
    [Fact]
    public void A_full_siglip_checkpoint_scores_images_against_texts_like_the_reference()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var vision = EncoderTestData.Case("siglip2_vision");
        var text = EncoderTestData.Case("siglip2_text");
        var merged = vision.Read("weights.safetensors").Concat(text.Read("weights.safetensors")).ToDictionary();
        var model = SiglipModel.Load(SiglipVisionConfig.FromJson(vision["hf_config"]), SiglipTextConfig.FromJson(text["hf_config"]), merged);

        var visionIo = vision.Read("io.safetensors");
        var textIo = text.Read("io.safetensors");
        float[] Floats(string key) => vision[key].EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var pixels = new PixelNormalization(Floats("pixel_mean"), Floats("pixel_std")).Normalize(visionIo["in.images_u8"].to(ScalarType.Float32) / 255.0f);
        var logits = model.Forward(pixels, textIo["in.input_ids"], interpolatePosEncoding: true);

        Assert.True(EncoderTestData.RelativeError(logits.LogitsPerText, textIo["out.logits_per_text"]) < 2e-5);
        Assert.True(EncoderTestData.RelativeError(logits.LogitsPerImage, textIo["out.logits_per_image"]) < 2e-5);
        Assert.Equal([visionIo["in.images_u8"].shape[0], textIo["in.input_ids"].shape[0]], logits.LogitsPerImage.shape);
    }

    [Fact]
    public void A_text_only_model_ignores_the_vision_tower_keys()
    {
        using var scope = NewDisposeScope();
        var text = new SiglipTextConfig(VocabSize: 20, HiddenSize: 16, IntermediateSize: 32, NumHiddenLayers: 1, NumAttentionHeads: 2, MaxPositionEmbeddings: 4, ProjectionSize: 16);
        var state = new SiglipModel(null, text).state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        state["vision_model.post_layernorm.weight"] = ones(16);
        var model = SiglipModel.Load(null, text, state);
        Assert.Null(model.vision_model);
        Assert.Throws<InvalidOperationException>(() => model.Forward(zeros(1, 3, 28, 28), zeros(1, 4, dtype: ScalarType.Int64)));
    }

    [Fact]
    public void Pooling_takes_the_last_position_and_the_mask_only_changes_padded_rows()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var text = EncoderTestData.Case("siglip2_text");
        var model = SiglipTextTransformer.Load(SiglipTextConfig.FromJson(text["hf_config"]), text.Read("weights.safetensors"));
        var io = text.Read("io.safetensors");
        var ids = io["in.input_ids"];
        var mask = io["in.attention_mask"];
        var plain = model.Forward(ids);
        var masked = model.Forward(ids, mask);
        Assert.True(plain.PoolerOutput.allclose(model.head.forward(plain.LastHiddenState[.., -1, ..])));
        // A row that fills every position (mask all ones) is the same with the mask; every other row changes.
        var full = mask.sum(1).eq(ids.shape[1]);
        for (int r = 0; r < ids.shape[0]; r++)
        {
            var same = plain.PoolerOutput[r].allclose(masked.PoolerOutput[r], rtol: 0, atol: 1e-6);
            Assert.Equal(full[r].item<bool>(), same);
        }
    }
}
