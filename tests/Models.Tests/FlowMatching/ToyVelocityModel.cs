using RAE.Grid.Models.Diffusion;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.FlowMatching;

/// <summary>v(x, t, y) = a·x + t + b·y, per sample: small enough to reason about by hand.</summary>
internal sealed class ToyVelocityModel(double a, double b, int numClasses = 10, int channels = 2, int size = 3) : IVelocityModel
{
    public int NumClasses => numClasses;
    public int InChannels => channels;
    public int InputSize => size;
    public int Calls { get; private set; }

    public Tensor Velocity(Tensor x, Tensor t, Tensor y)
    {
        Calls++;
        var shape = new long[] { x.shape[0], 1, 1, 1 };
        return x * a + t.view(shape) + y.to(x.dtype).view(shape) * b;
    }
}
