using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;
using static RAE.Grid.Models.Tests.Golden.Runners.EncoderRunnerSupport;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Case <c>mae</c>: HF ViTMAEModel under RAE's MAEwNorm (mask ratio 0, identity noise, position table always
/// interpolated without antialias, final LayerNorm eps 1e-12) and RAE.encode with the case's stats.
/// </summary>
public sealed class MaeRunner : IGoldenCaseRunner
{
    public string Case => "mae";

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        const double rtol = 2e-5;
        var config = ViTMAEConfig.FromJson(c["hf_config"]);
        var rae = c["rae"];
        var io = c.Read("io.safetensors");
        var model = ViTMAEModel.Load(config, c.Read("weights.safetensors"), c.PathOf("weights.safetensors"));
        var wrapper = new MAEwNorm(model, Pixels(rae.GetProperty("pixel_mean"), rae.GetProperty("pixel_std")));
        var encoder = new RaeEncoder(wrapper, new RaeEncoderOptions(rae.GetProperty("encoder_input_size").GetInt32()), Stats(rae, io));
        encoder.eval();
        using var _ = no_grad();

        var images = ImagesFromU8(io["in.images_u8"]);
        var encoderInput = encoder.PrepareInput(images);
        var hf = model.Forward(encoderInput, wrapper.IdentityNoise(encoderInput), interpolatePosEncoding: true);
        yield return new("io:out.last_hidden_state_pre_norm", hf.LastHiddenStatePreNorm, io["out.last_hidden_state_pre_norm"], rtol);
        yield return new("io:out.last_hidden_state_hf_affine", hf.LastHiddenState, io["out.last_hidden_state_hf_affine"], rtol);
        yield return new("io:out.latent", encoder.EncodeRaw(images), io["out.latent"], rtol);
        yield return new("io:out.latent_normalized", encoder.Encode(images), io["out.latent_normalized"], rtol);

        var rows = io["mid.encoder_input_rows_0_16"].shape[2];
        yield return new("io:mid.encoder_input_rows_0_16", encoderInput[.., .., ..(int)rows, ..], io["mid.encoder_input_rows_0_16"], rtol);
        yield return new("io:mid.pos_embed_interp", hf.Embedding.PositionEmbeddings, io["mid.pos_embed_interp"], rtol);
        yield return new("io:mid.embeddings", hf.Embedding.Embeddings, io["mid.embeddings"], rtol);
        yield return new("io:mid.mask", hf.Embedding.Mask, io["mid.mask"], 0);
        yield return new("io:mid.ids_restore", hf.Embedding.IdsRestore, io["mid.ids_restore"], 0);
    }
}
