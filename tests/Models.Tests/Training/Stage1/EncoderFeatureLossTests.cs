using RAE.Grid.Training.Stage1;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Stage1;

public class EncoderFeatureLossTests
{
    [Fact]
    public void Loss_is_zero_for_identical_images_and_positive_otherwise()
    {
        using var encoder = ToyMae.Create();
        var loss = new EncoderFeatureLoss(encoder);
        var gen = new Generator(1);
        using var x = rand([4, 3, 28, 28], generator: gen);
        using var y = rand([4, 3, 28, 28], generator: gen);
        using var same = loss.Forward(x, x.clone());
        using var different = loss.Forward(y, x);
        Assert.Equal(0.0, same.item<float>(), 6);
        Assert.True(different.item<float>() > 1e-3, $"loss {different.item<float>()}");
    }

    [Fact]
    public void Gradients_reach_the_reconstruction_and_leave_the_encoder_unchanged()
    {
        using var encoder = ToyMae.Create();
        var before = encoder.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var loss = new EncoderFeatureLoss(encoder);
        var gen = new Generator(2);
        using var target = rand([2, 3, 28, 28], generator: gen);
        using var reconstruction = rand([2, 3, 28, 28], generator: gen).requires_grad_(true);
        using var value = loss.Forward(reconstruction, target);
        value.backward();
        Assert.NotNull(reconstruction.grad);
        Assert.True(reconstruction.grad!.abs().sum().item<float>() > 0);
        Assert.All(encoder.parameters(), p => { Assert.False(p.requires_grad); Assert.Null(p.grad); });
        foreach (var (key, t) in encoder.state_dict()) Assert.True(TensorAssert.BitEqual(before[key], t), key);
    }

    [Fact]
    public void Every_encoder_layer_contributes_one_feature_map_without_the_cls_token()
    {
        using var encoder = ToyMae.Create(layers: 3);
        var features = new FrozenMaeFeatures(encoder);
        using var x = rand([2, 3, 28, 28]);
        var layers = features.Layers(x);
        Assert.Equal(3, layers.Count);
        Assert.All(layers, l => Assert.Equal([2L, 16, 32], l.shape));
    }

    [Fact]
    public void Layer_hidden_states_end_with_the_models_pre_norm_output()
    {
        using var encoder = ToyMae.Create(layers: 3);
        var mae = (RAE.Grid.Models.Encoders.MAEwNorm)encoder.RepresentationEncoder;
        using var pixels = randn(2, 3, 28, 28);
        using var noise = mae.IdentityNoise(pixels);
        var states = mae.model.LayerHiddenStates(pixels, noise, interpolatePosEncoding: true);
        var output = mae.model.Forward(pixels, noise, interpolatePosEncoding: true);
        Assert.Equal(3, states.Count);
        Assert.True(TensorAssert.BitEqual(output.LastHiddenStatePreNorm, states[^1]));
    }
}
