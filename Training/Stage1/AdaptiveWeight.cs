using static TorchSharp.torch;

namespace RAE.Grid.Training.Stage1;

/// <summary>
/// The adaptive GAN weight of the official recipe (taming-transformers' <c>calculate_adaptive_weight</c>):
/// λ = ‖∇_W L_rec‖ / (‖∇_W L_G‖ + 1e-6), clamped to [0, 1e4] and detached, with W the decoder's last layer
/// (<c>decoder_pred.weight</c>). It balances the two gradients where they enter the image.
/// </summary>
public static class AdaptiveWeight
{
    /// <summary>Upper clamp of λ.</summary>
    public const double Max = 1e4;

    /// <summary>
    /// λ for the given losses (scalars that both depend on <paramref name="lastLayerWeight"/>). The graphs are
    /// retained so the caller can still back-propagate the total loss.
    /// </summary>
    public static Tensor Compute(Tensor reconstructionLoss, Tensor generatorLoss, Tensor lastLayerWeight)
    {
        using var scope = NewDisposeScope();
        var recGrad = autograd.grad([reconstructionLoss], [lastLayerWeight], retain_graph: true)[0];
        var ganGrad = autograd.grad([generatorLoss], [lastLayerWeight], retain_graph: true)[0];
        var lambda = recGrad.norm() / (ganGrad.norm() + 1e-6);
        return lambda.clamp(0.0, Max).detach().MoveToOuterDisposeScope();
    }
}
