using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Layers;
using RAE.Grid.Models.Tests.Checkpoints;
using RAE.Grid.Training.Mae;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Mae;

public class ViTMAEForPreTrainingTests
{
    // hidden 16, 1 layer, 2 heads, MLP 32, 8² images, patch 4 (N = 4), 3 channels; decoder 8 wide, 1 layer, MLP 12.
    static readonly ViTMAEPreTrainingConfig Tiny = new(
        new ViTMAEConfig(HiddenSize: 16, NumHiddenLayers: 1, NumAttentionHeads: 2, IntermediateSize: 32, ImageSize: 8, PatchSize: 4),
        DecoderHiddenSize: 8, DecoderNumHiddenLayers: 1, DecoderNumAttentionHeads: 2, DecoderIntermediateSize: 12, NormPixLoss: true);

    static IEnumerable<(string, long[])> Layer(string prefix, long d, long mlp) =>
    [
        ($"{prefix}.attention.attention.key.bias", [d]), ($"{prefix}.attention.attention.key.weight", [d, d]),
        ($"{prefix}.attention.attention.query.bias", [d]), ($"{prefix}.attention.attention.query.weight", [d, d]),
        ($"{prefix}.attention.attention.value.bias", [d]), ($"{prefix}.attention.attention.value.weight", [d, d]),
        ($"{prefix}.attention.output.dense.bias", [d]), ($"{prefix}.attention.output.dense.weight", [d, d]),
        ($"{prefix}.intermediate.dense.bias", [mlp]), ($"{prefix}.intermediate.dense.weight", [mlp, d]),
        ($"{prefix}.layernorm_after.bias", [d]), ($"{prefix}.layernorm_after.weight", [d]),
        ($"{prefix}.layernorm_before.bias", [d]), ($"{prefix}.layernorm_before.weight", [d]),
        ($"{prefix}.output.dense.bias", [d]), ($"{prefix}.output.dense.weight", [d, mlp]),
    ];

    [Fact]
    public void State_dict_keys_and_shapes_are_the_HF_ViTMAEForPreTraining_ones()
    {
        // HF ViTMAEForPreTraining.state_dict() for this config (facebook/vit-mae-base has the same names, 12 + 8 layers).
        var expected = new List<(string, long[])>
        {
            ("decoder.decoder_embed.bias", [8]), ("decoder.decoder_embed.weight", [8, 16]),
            ("decoder.decoder_norm.bias", [8]), ("decoder.decoder_norm.weight", [8]),
            ("decoder.decoder_pos_embed", [1, 5, 8]),
            ("decoder.decoder_pred.bias", [48]), ("decoder.decoder_pred.weight", [48, 8]),
            ("decoder.mask_token", [1, 1, 8]),
            ("vit.embeddings.cls_token", [1, 1, 16]),
            ("vit.embeddings.patch_embeddings.projection.bias", [16]),
            ("vit.embeddings.patch_embeddings.projection.weight", [16, 3, 4, 4]),
            ("vit.embeddings.position_embeddings", [1, 5, 16]),
            ("vit.layernorm.bias", [16]), ("vit.layernorm.weight", [16]),
        };
        expected.AddRange(Layer("decoder.decoder_layers.0", 8, 12));
        expected.AddRange(Layer("vit.encoder.layer.0", 16, 32));

        using var model = new ViTMAEForPreTraining(Tiny, new Generator(0));
        var actual = model.state_dict().Select(kv => (kv.Key, kv.Value.shape)).OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
        var want = expected.OrderBy(k => k.Item1, StringComparer.Ordinal).ToList();
        Assert.Equal(want.Select(k => k.Item1), actual.Select(k => k.Key));
        for (int i = 0; i < want.Count; i++) Assert.Equal(want[i].Item2, actual[i].shape);
    }

    [Fact]
    public void Initialization_follows_HF_with_fixed_sincos_tables()
    {
        using var model = new ViTMAEForPreTraining(Tiny, new Generator(1));
        var sd = model.state_dict();
        Assert.True(TensorAssert.BitEqual(SinCosPositionEmbedding.Build(16, 2, clsToken: true).unsqueeze(0), sd["vit.embeddings.position_embeddings"]));
        Assert.True(TensorAssert.BitEqual(SinCosPositionEmbedding.Build(8, 2, clsToken: true).unsqueeze(0), sd["decoder.decoder_pos_embed"]));
        Assert.False(model.vit.embeddings.position_embeddings.requires_grad);
        Assert.False(model.decoder.decoder_pos_embed.requires_grad);
        Assert.True(model.decoder.mask_token.requires_grad);
        Assert.Equal(0, sd["vit.encoder.layer.0.attention.attention.query.bias"].abs().max().item<float>());
        Assert.Equal(1, sd["decoder.decoder_norm.weight"].min().item<float>());
        Assert.NotEqual(0, sd["decoder.mask_token"].abs().sum().item<float>());
        // xavier_uniform bound for the [16, 48] view of the patch projection.
        Assert.True(sd["vit.embeddings.patch_embeddings.projection.weight"].abs().max().item<float>() <= Math.Sqrt(6.0 / (16 + 48)));
        // The same generator seed gives the same model.
        using var again = new ViTMAEForPreTraining(Tiny, new Generator(1));
        foreach (var (k, v) in again.state_dict()) Assert.True(TensorAssert.BitEqual(sd[k], v), k);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Masked_patch_loss_equals_a_hand_computation(bool normPixLoss)
    {
        // 2×2 grid of 4×4 patches of a 3×8×8 image; pixel (c,y,x) = ((c·8+y)·8+x) mod 7 − 3, prediction all 0.25
        // except patch 1 (0.5); patches 1 and 2 masked.
        using var model = new ViTMAEForPreTraining(Tiny with { NormPixLoss = normPixLoss });
        var pix = new float[3 * 8 * 8];
        for (int i = 0; i < pix.Length; i++) pix[i] = i % 7 - 3;
        using var pixels = tensor(pix, [1, 3, 8, 8]);
        using var pred = full(new long[] { 1, 4, 48 }, 0.25f);
        pred[0, 1].fill_(0.5f);
        using var mask = tensor(new float[] { 0, 1, 1, 0 }, [1, 4]);

        double total = 0;
        foreach (var patch in new[] { 1, 2 })
        {
            var (ph, pw) = (patch / 2, patch % 2);
            var target = new List<double>(); // HF order: row in patch, column in patch, channel
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) for (int c = 0; c < 3; c++)
                target.Add(pix[(c * 8 + ph * 4 + i) * 8 + pw * 4 + j]);
            if (normPixLoss)
            {
                var mean = target.Average();
                var var = target.Sum(v => (v - mean) * (v - mean)) / (target.Count - 1); // unbiased, as torch.var
                target = target.Select(v => (v - mean) / Math.Sqrt(var + 1e-6)).ToList();
            }
            var p = patch == 1 ? 0.5 : 0.25;
            total += target.Average(t => (p - t) * (p - t));
        }
        using var loss = model.ForwardLoss(pixels, pred, mask);
        Assert.Equal(total / 2, loss.item<float>(), 1e-5);
    }

    [Fact]
    public void Forward_masks_three_quarters_and_predicts_every_patch()
    {
        var config = Tiny with { Encoder = Tiny.Encoder with { ImageSize = 16 } }; // 16 patches, 4 kept
        using var model = new ViTMAEForPreTraining(config, new Generator(2));
        using var pixels = randn(3, 3, 16, 16, generator: new Generator(3));
        using var noise = model.MaskingNoise(3, CPU, new Generator(4));
        var o = model.Forward(pixels, noise);
        Assert.Equal(new long[] { 3, 16, 48 }, o.Logits.shape);
        Assert.All(o.Mask.sum(1).data<float>().ToArray(), n => Assert.Equal(12f, n));
        Assert.True(o.Loss.item<float>() > 0);
        // The masked positions are the 12 largest noise values of each row (argsort ascending keeps the smallest).
        var largest = noise.argsort(1)[.., 4..];
        using var expectedMask = zeros(3, 16).scatter_(1, largest, ones(3, 12));
        Assert.True(TensorAssert.BitEqual(expectedMask, o.Mask));
        // Same noise, same model → same loss.
        Assert.Equal(o.Loss.item<float>(), model.Forward(pixels, noise).Loss.item<float>());
    }

    [Fact]
    public void Exported_encoder_loads_strictly_and_MAEwNorm_gives_the_toy_latent()
    {
        using var dir = new TempDir();
        using var model = new ViTMAEForPreTraining(ViTMAEPreTrainingConfig.Toy, new Generator(5));
        foreach (var fp16 in new[] { false, true })
        {
            var folder = Path.Combine(dir.Path, fp16 ? "fp16" : "fp32");
            var (configPath, weightsPath) = MaeEncoderExport.Write(model, folder, fp16);
            Assert.Equal(ViTMAEPreTrainingConfig.Toy, ViTMAEPreTrainingConfig.FromFile(configPath));
            Assert.Equal(ViTMAEPreTrainingConfig.Toy.Encoder, ViTMAEConfig.FromFile(configPath));
            var keys = RAE.Grid.Models.Checkpoints.SafeTensorsFile.ReadAll(weightsPath).Keys.OrderBy(k => k, StringComparer.Ordinal);
            Assert.Equal(model.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal), keys);

            using var vit = MaeEncoderExport.LoadEncoder(folder); // ViTMAEModel.Load: strict on vit.*, decoder.* ignored
            using var wrapper = new MAEwNorm(vit);
            using var images = rand(2, 3, 28, 28, generator: new Generator(6));
            using var z = wrapper.EncodeTokens(wrapper.PixelNormalization.Normalize(images));
            Assert.Equal(new long[] { 2, 16, 64 }, z.shape);
            if (!fp16)
                foreach (var (k, v) in vit.state_dict())
                    Assert.True(TensorAssert.BitEqual(model.state_dict()["vit." + k], v), k);
        }
    }
}
