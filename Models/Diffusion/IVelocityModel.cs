using static TorchSharp.torch;

namespace RAE.Grid.Models.Diffusion;

/// <summary>
/// A class-conditional flow-matching network v(x, t, y): latent x [B, C, H, W], flow time t [B] (1 = noise,
/// already shifted), labels y [B] (index <see cref="NumClasses"/> = the null class). Samplers and guidance only
/// see this interface, so they work the same for DiT-DH and LightningDiT.
/// </summary>
public interface IVelocityModel
{
    /// <summary>Predicted velocity, same shape as <paramref name="x"/>.</summary>
    Tensor Velocity(Tensor x, Tensor t, Tensor y);

    /// <summary>Number of real classes; the null (unconditional) label is this index.</summary>
    int NumClasses { get; }

    /// <summary>Latent channels C.</summary>
    int InChannels { get; }

    /// <summary>Latent side H = W.</summary>
    int InputSize { get; }
}
