using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// timm <c>Mlp</c> with tanh-approximated GELU (fc1 → GELU(tanh) → fc2): the DiT block MLP when
/// <c>use_swiglu</c> is false.
/// </summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    public readonly Linear fc1, fc2;

    public Mlp(long inFeatures, long hiddenFeatures) : base("Mlp")
    {
        fc1 = Linear(inFeatures, hiddenFeatures);
        fc2 = Linear(hiddenFeatures, inFeatures);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = functional.gelu(fc1.forward(x), approximate: TorchSharp.Modules.GELU.Approximate.tanh);
        return fc2.forward(h).MoveToOuterDisposeScope();
    }
}
