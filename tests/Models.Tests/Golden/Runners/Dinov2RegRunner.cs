using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Dinov2;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;
using static RAE.Grid.Models.Tests.Golden.Runners.EncoderRunnerSupport;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Case <c>dinov2_reg</c>: HF Dinov2WithRegistersModel and RAE.encode with Dinov2withNorm. Outputs that start from
/// the raw 8-bit images include torch's float32 bicubic resize and use rtol 5e-5; the ViT alone, fed the stored
/// <c>out.encoder_input</c>, is held to 2e-5.
/// </summary>
public sealed class Dinov2RegRunner : IGoldenCaseRunner
{
    public string Case => "dinov2_reg";

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        const double raw = 5e-5, exact = 2e-5;
        var config = Dinov2WithRegistersConfig.FromJson(c["hf_config"]);
        var rae = c["rae"];
        var io = c.Read("io.safetensors");
        var model = Dinov2WithRegistersModel.Load(config, c.Read("weights.safetensors"), c.PathOf("weights.safetensors"));
        var wrapper = new Dinov2withNorm(model, Pixels(rae.GetProperty("pixel_mean"), rae.GetProperty("pixel_std")));
        var encoder = new RaeEncoder(wrapper, new RaeEncoderOptions(rae.GetProperty("encoder_input_size").GetInt32()), Stats(rae, io));
        encoder.eval();
        using var _ = no_grad();

        var images = ImagesFromU8(io["in.images_u8"]);
        var encoderInput = encoder.PrepareInput(images);
        var preNorm = model.ForwardPreNorm(encoderInput);
        yield return new("io:out.encoder_input", encoderInput, io["out.encoder_input"], raw);
        yield return new("io:out.last_hidden_state_pre_norm", preNorm, io["out.last_hidden_state_pre_norm"], raw);
        yield return new("io:out.last_hidden_state_hf_affine", model.layernorm.forward(preNorm), io["out.last_hidden_state_hf_affine"], raw);
        yield return new("io:out.latent", encoder.EncodeRaw(images), io["out.latent"], raw);
        yield return new("io:out.latent_normalized", encoder.Encode(images), io["out.latent_normalized"], raw);

        // The ViT alone, from the stored encoder input (no resize error), and the intermediates.
        var storedInput = io["out.encoder_input"];
        var (h, w) = (storedInput.shape[2], storedInput.shape[3]);
        var patches = (h / config.PatchSize) * (w / config.PatchSize);
        yield return new("io:mid.pos_embed_interp", model.embeddings.InterpolatePosEncoding(patches, h, w), io["mid.pos_embed_interp"], exact);
        yield return new("io:mid.embeddings(from out.encoder_input)", model.embeddings.forward(storedInput), io["mid.embeddings"], exact);
        yield return new("io:out.last_hidden_state_pre_norm(from out.encoder_input)", model.ForwardPreNorm(storedInput), io["out.last_hidden_state_pre_norm"], exact);
    }
}
