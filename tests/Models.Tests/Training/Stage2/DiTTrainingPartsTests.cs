using System.Text.Json;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Training.Stage2;
using TorchSharp.Modules;
using static RAE.Grid.Models.Tests.Training.Stage2.Stage2TestData;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Stage2;

public class DiTTrainingPartsTests
{
    [Fact]
    public void Label_dropout_rate_is_p_with_a_fixed_generator()
    {
        using var embedder = new LabelEmbedder(10, 8, 0.25);
        using var g = DiTTraining.StepGenerator(3, 0x73, 0);
        embedder.DropoutGenerator = g;
        var labels = arange(20000, dtype: ScalarType.Int64) % 10;
        var dropped = embedder.TokenDrop(labels).eq(10).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(dropped, 0.24, 0.26);
        // The same seeded generator drops the same labels.
        var first = TokenDropWith(embedder, labels, 11);
        Assert.True(Same(first, TokenDropWith(embedder, labels, 11)));
        Assert.False(Same(first, TokenDropWith(embedder, labels, 12)));
    }

    static Tensor TokenDropWith(LabelEmbedder embedder, Tensor labels, long step)
    {
        using var g = DiTTraining.StepGenerator(3, 0x73, step);
        embedder.DropoutGenerator = g;
        var dropped = embedder.TokenDrop(labels);
        embedder.DropoutGenerator = null;
        return dropped;
    }

    [Fact]
    public void Schedule_is_constant_then_linear_to_a_tenth()
    {
        var options = Options(epochs: 6) with { ConstantEpochs = 2, DecayEndEpoch = 4 };
        var s = options.Schedule(10);
        var lr = options.Optimizer.Lr;
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(lr, s.At(i)));
        Assert.Equal(lr * 0.55, s.At(30), 12);
        Assert.Equal(lr * 0.1, s.At(40), 12);
        Assert.Equal(lr * 0.1, s.At(59), 12);
        var steps = Enumerable.Range(20, 21).Select(i => s.At(i)).ToArray();
        Assert.All(steps.Zip(steps.Skip(1)), p => Assert.Equal(p.First - p.Second, lr * 0.9 / 20, 12));
    }

    [Fact]
    public void Shift_on_off_changes_the_t_the_model_sees_as_TimeShift_says()
    {
        var on = Options() with { TimeDistShiftDim = 4096 * 4 };
        var off = on with { TimeShiftEnabled = false };
        Assert.Equal(2.0, on.ShiftFactor, 12);
        Assert.Equal(1.0, off.ShiftFactor);
        var tOff = DiTTraining.TrainingTimes(off, 256, step: 5);
        var tOn = DiTTraining.TrainingTimes(on, 256, step: 5);
        Assert.True(tOn.allclose(TimeShift.Apply(tOff, 2.0)));
        Assert.True((tOn >= tOff).all().item<bool>());
        // The default m is C·H·W of the model input: 3·4·4 = 48 → s = sqrt(48/4096).
        Assert.Equal(Math.Sqrt(48.0 / 4096), Options().ShiftFactor, 12);
        // Uniform on [0, 0.999] before the shift.
        var u = DiTTraining.TrainingTimes(off with { TimeDistType = "uniform" }, 1000, 0);
        Assert.True(u.max().item<float>() <= 0.999f && u.min().item<float>() >= 0);
    }

    [Fact]
    public void Official_init_zeroes_the_modulation_and_output_and_draws_the_rest()
    {
        var options = Options();
        using var model = (DiTDH)DiTTraining.CreateModel(options);
        foreach (var block in model.blocks)
            Assert.Equal(0, ((Linear)block.adaLN_modulation[1]).weight!.abs().sum().item<float>());
        Assert.Equal(0, model.final_layer.linear.weight!.abs().sum().item<float>());
        Assert.Equal(0, model.final_layer.adaLN_modulation.parameters().Sum(p => p.abs().sum().item<float>()));
        var qkv = model.blocks[0].attn.qkv.weight!;
        Assert.True(qkv.abs().max().item<float>() <= Math.Sqrt(6.0 / (16 + 48)) + 1e-6);
        Assert.Equal(0, model.blocks[0].attn.qkv.bias!.abs().sum().item<float>());
        Assert.InRange(model.y_embedder.embedding_table.weight!.std().item<float>(), 0.01, 0.03);
        // Zero output layer: the untrained model predicts zero velocity; the same seed gives the same weights.
        using var _ = no_grad();
        var v = model.forward(randn(2, 3, 4, 4), tensor(new[] { 0.2f, 0.9f }), tensor(new long[] { 0, 1 }));
        Assert.Equal(0, v.abs().sum().item<float>());
        using var again = (DiTDH)DiTTraining.CreateModel(options);
        Assert.True(Same(again.blocks[0].attn.qkv.weight!, qkv));
        Assert.True(Same(again.t_embedder.W, model.t_embedder.W));
    }

    [Fact]
    public void Options_name_the_bad_field()
    {
        Assert.Contains("batch_size", Assert.Throws<ArgumentException>(() => (Options() with { BatchSize = 0 }).Validated()).Message);
        Assert.Contains("time_dist_type", Assert.Throws<ArgumentException>(() => (Options() with { TimeDistType = "beta" }).Validated()).Message);
        Assert.Contains("target", Assert.Throws<ArgumentException>(() => (Options() with { Target = "UNet" }).Validated()).Message);
        Assert.Contains("weak_step", Assert.Throws<ArgumentException>(() => (Options() with { WeakStep = 0 }).Validated()).Message);
        Assert.Contains("ema_decay", Assert.Throws<ArgumentException>(() => (Options() with { EmaDecay = 2 }).Validated()).Message);
    }

    [Fact]
    public void Pixel_DiT_round_trips_shapes()
    {
        var pixel = Stage2Inputs.PixelParams(DiTDHParams(classes: 3), channels: 3, imageSize: 28, patchSize: 7);
        foreach (var target in new[] { "DiTwDDTHead", "LightningDiT" })
        {
            var p = target == "DiTwDDTHead" ? pixel : new System.Text.Json.Nodes.JsonObject
            {
                ["input_size"] = 28, ["patch_size"] = 7, ["in_channels"] = 3, ["hidden_size"] = 16, ["depth"] = 1,
                ["num_heads"] = 2, ["num_classes"] = 3,
            };
            var options = new DiTTrainingOptions { Target = target, Params = p, Seed = 1 };
            using var module = DiTTraining.CreateModel(options);
            using (no_grad())
                foreach (var param in module.parameters()) param.add_(randn_like(param) * 0.05);  // leave the zero init
            module.eval();
            var model = (IVelocityModel)module;
            Assert.Equal((3, 28), (model.InChannels, model.InputSize));
            using var _ = no_grad();
            var x = randn(2, 3, 28, 28);
            var v = model.Velocity(x, tensor(new[] { 0.5f, 0.1f }), tensor(new long[] { 0, 2 }));
            Assert.Equal(x.shape, v.shape);
            var generator = new PixelSpaceGenerator(model, options.ShiftFactor, numSteps: 3);
            var images = generator.AsDelegate()([0, 1, 2], 5);
            Assert.Equal(new long[] { 3, 3, 28, 28 }, images.shape);
            Assert.True(images.min().item<float>() >= 0 && images.max().item<float>() <= 1);
            Assert.True(Same(images, generator.Generate([0, 1, 2], 5)));
        }
    }

    [Fact]
    public void Pixel_input_maps_images_to_minus_one_one_and_back()
    {
        using var batch = new RAE.Grid.Training.Data.ImageBatch(tensor(new[] { 0f, 0.25f, 1f }).reshape(1, 1, 1, 3), tensor(new long[] { 0 }));
        var x = Stage2Inputs.Pixels(batch);
        Assert.Equal(new[] { -1f, -0.5f, 1f }, x.data<float>().ToArray());
        Assert.True(Stage2Inputs.PixelsToImages(x).allclose(batch.Images));
    }
}
