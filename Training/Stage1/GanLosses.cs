using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training.Stage1;

/// <summary>The official stage-1 GAN objectives (<c>src/disc</c>): hinge discriminator loss and the generator loss.</summary>
public static class GanLosses
{
    /// <summary>Hinge loss 0.5·(mean relu(1 − D(real)) + mean relu(1 + D(fake))).</summary>
    public static Tensor HingeDiscriminatorLoss(Tensor logitsReal, Tensor logitsFake)
    {
        using var scope = NewDisposeScope();
        var loss = 0.5 * (functional.relu(1 - logitsReal).mean() + functional.relu(1 + logitsFake).mean());
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Generator loss L_G = −mean D(fake).</summary>
    public static Tensor GeneratorLoss(Tensor logitsFake) => -logitsFake.mean();
}
