using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Dinov2;
using RAE.Grid.Models.Rae;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Encoders;

/// <summary>The encoders run in bfloat16 (weights and activations) with a bounded error against float32.</summary>
public class EncoderBf16Tests(ITestOutputHelper output)
{
    [Fact]
    public void Dinov2_rae_encode_in_bf16_stays_within_5_percent_of_fp32()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var c = EncoderTestData.Case("dinov2_reg");
        var config = Dinov2WithRegistersConfig.FromJson(c["hf_config"]);
        var weights = c.Read("weights.safetensors");
        var io = c.Read("io.safetensors");
        var options = new RaeEncoderOptions(c["rae"].GetProperty("encoder_input_size").GetInt32());
        var stats = new LatentStats(null, io["in.latent_var"]);
        var images = io["in.images_u8"].to(ScalarType.Float32) / 255.0f;

        var fp32 = new RaeEncoder(new Dinov2withNorm(Dinov2WithRegistersModel.Load(config, weights)), options, stats);
        var bf16Model = Dinov2WithRegistersModel.Load(config, weights);
        bf16Model.to(ScalarType.BFloat16);
        var bf16 = new RaeEncoder(new Dinov2withNorm(bf16Model), options, stats);
        fp32.eval(); bf16.eval();

        var reference = fp32.Encode(images);
        var ours = bf16.Encode(images.to(ScalarType.BFloat16));
        Assert.Equal(ScalarType.BFloat16, ours.dtype);
        Assert.Equal(reference.shape, ours.shape);
        var rel = EncoderTestData.RelativeError(ours, reference);
        var pre = EncoderTestData.RelativeError(bf16Model.ForwardPreNorm(bf16.PrepareInput(images.to(ScalarType.BFloat16))),
            ((Dinov2withNorm)fp32.encoder).encoder.ForwardPreNorm(fp32.PrepareInput(images)));
        output.WriteLine($"DINOv2 bf16 vs fp32: latent_normalized rel err {rel:E2}, last_hidden_state_pre_norm rel err {pre:E2}");
        Console.WriteLine($"DINOv2 bf16 vs fp32: latent_normalized rel err {rel:E2}, last_hidden_state_pre_norm rel err {pre:E2}");
        Assert.True(rel < 5e-2, $"bf16 relative error {rel:E2} >= 5e-2");
        Assert.True(rel > 0, "bf16 run gave bit-identical results: it probably did not run in bf16");
    }
}
