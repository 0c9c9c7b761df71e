using RAE.Grid.Models.Encoders.Siglip;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Case <c>siglip2_text</c>: HF SiglipTextTransformer (no mask, and the optional attention-mask path) and the
/// SiglipModel logits against the paired vision case's pooled embeddings (<c>in.image_embeds</c>).
/// </summary>
public sealed class Siglip2TextRunner : IGoldenCaseRunner
{
    public string Case => "siglip2_text";

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        const double rtol = 2e-5;
        var config = SiglipTextConfig.FromJson(c["hf_config"]);
        var io = c.Read("io.safetensors");
        var model = SiglipModel.Load(null, config, c.Read("weights.safetensors"), c.PathOf("weights.safetensors"));
        var text = model.text_model!;
        using var _ = no_grad();

        var ids = io["in.input_ids"];
        var plain = text.Forward(ids);
        var masked = text.Forward(ids, io["in.attention_mask"]);
        var logits = model.Logits(io["in.image_embeds"], plain.PoolerOutput);
        yield return new("io:out.last_hidden_state", plain.LastHiddenState, io["out.last_hidden_state"], rtol);
        yield return new("io:out.pooler_output", plain.PoolerOutput, io["out.pooler_output"], rtol);
        yield return new("io:out.last_hidden_state_masked", masked.LastHiddenState, io["out.last_hidden_state_masked"], rtol);
        yield return new("io:out.pooler_output_masked", masked.PoolerOutput, io["out.pooler_output_masked"], rtol);
        yield return new("io:out.image_embeds_normalized", logits.ImageEmbeds, io["out.image_embeds_normalized"], rtol);
        yield return new("io:out.text_embeds_normalized", logits.TextEmbeds, io["out.text_embeds_normalized"], rtol);
        yield return new("io:out.logits_per_text", logits.LogitsPerText, io["out.logits_per_text"], rtol);
        yield return new("io:out.logits_per_image", logits.LogitsPerImage, io["out.logits_per_image"], rtol);

        yield return new("io:mid.embeddings", text.embeddings.forward(ids), io["mid.embeddings"], rtol);
        yield return new("io:mid.last_hidden_state_pre_norm", text.ForwardPreNorm(ids), io["mid.last_hidden_state_pre_norm"], rtol);
    }
}
