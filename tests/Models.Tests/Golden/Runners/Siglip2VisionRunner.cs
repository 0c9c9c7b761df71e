using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Siglip;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;
using static RAE.Grid.Models.Tests.Golden.Runners.EncoderRunnerSupport;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Case <c>siglip2_vision</c>: HF SiglipVisionTransformer (hidden_states[-1], post_layernorm, pooling head), the
/// Scale-RAE feature and RAE.encode with SigLIP2wNorm (no stats, no resize).
/// </summary>
public sealed class Siglip2VisionRunner : IGoldenCaseRunner
{
    public string Case => "siglip2_vision";

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        const double rtol = 2e-5;
        var config = SiglipVisionConfig.FromJson(c["hf_config"]);
        var io = c.Read("io.safetensors");
        var model = SiglipVisionTransformer.Load(config, c.Read("weights.safetensors"), c.PathOf("weights.safetensors"));
        var wrapper = new SigLIP2wNorm(model, Pixels(c["pixel_mean"], c["pixel_std"]));
        using var _ = no_grad();

        var images = ImagesFromU8(io["in.images_u8"]);
        var pixels = wrapper.PixelNormalization.Normalize(images);
        var hidden = model.ForwardPreNorm(pixels, interpolatePosEncoding: true);
        var hf = model.Forward(pixels, interpolatePosEncoding: true);
        yield return new("io:out.hidden_states_last", hidden, io["out.hidden_states_last"], rtol);
        yield return new("io:out.scale_rae_latent", wrapper.EncodeTokens(pixels), io["out.scale_rae_latent"], rtol);
        yield return new("io:out.post_layernorm", hf.LastHiddenState, io["out.post_layernorm"], rtol);
        yield return new("io:out.pooler_output", hf.PoolerOutput!, io["out.pooler_output"], rtol);

        // RAE.encode: the input already has the encoder's size, so no resize happens.
        var encoder = new RaeEncoder(wrapper, new RaeEncoderOptions((int)images.shape[2]));
        encoder.eval();
        yield return new("io:out.rae_latent_2d", encoder.Encode(images), io["out.rae_latent_2d"], rtol);
    }
}
