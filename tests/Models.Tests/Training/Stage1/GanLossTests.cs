using RAE.Grid.Training.Stage1;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Stage1;

public class GanLossTests
{
    [Fact]
    public void Hinge_discriminator_loss_matches_hand_computed_values()
    {
        using var real = tensor(new float[] { 2f, 0.5f, -1f });  // relu(1 − x) = 0, 0.5, 2 → mean 5/6
        using var fake = tensor(new float[] { -2f, 0f, 1f });    // relu(1 + x) = 0, 1, 2 → mean 1
        using var loss = GanLosses.HingeDiscriminatorLoss(real, fake);
        Assert.Equal(0.5 * (5.0 / 6.0 + 1.0), loss.item<float>(), 5);
    }

    [Fact]
    public void Generator_loss_is_the_negative_mean_fake_logit()
    {
        using var fake = tensor(new float[] { -2f, 0f, 5f });
        using var loss = GanLosses.GeneratorLoss(fake);
        Assert.Equal(-1.0, loss.item<float>(), 6);
    }

    [Fact]
    public void Adaptive_weight_is_the_ratio_of_gradient_norms_at_the_last_layer()
    {
        using var w = tensor(new float[,] { { 1, 2 }, { 3, 4 } }).requires_grad_(true);
        using var a = tensor(new float[,] { { 3, 4 }, { 0, 0 } }); // ∇_W (W·a).sum() = a, ‖a‖ = 5
        using var b = tensor(new float[,] { { 0, 0 }, { 0, 2 } }); // ‖b‖ = 2
        using var rec = (w * a).sum();
        using var gan = (w * b).sum();
        using var lambda = AdaptiveWeight.Compute(rec, gan, w);
        Assert.Equal(5.0 / (2.0 + 1e-6), lambda.item<float>(), 5);
        Assert.False(lambda.requires_grad);
        rec.backward(); // the graph is retained for the caller's backward
        Assert.NotNull(w.grad);
    }

    [Fact]
    public void Adaptive_weight_is_clamped_at_ten_thousand()
    {
        using var w = tensor(new float[] { 1, 2 }).requires_grad_(true);
        using var rec = (w * 3).sum();
        using var gan = (w * 1e-9f).sum();
        using var lambda = AdaptiveWeight.Compute(rec, gan, w);
        Assert.Equal(AdaptiveWeight.Max, lambda.item<float>(), 1);
    }
}
