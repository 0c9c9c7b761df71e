using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// SwiGLU feed-forward of model_utils.py: <c>w12</c> projects to 2·hidden, the <b>first</b> half goes through SiLU
/// and gates the second half, <c>w3</c> projects back. The DiT blocks use hidden = int(2/3·mlp_ratio·width).
/// </summary>
public sealed class SwiGLUFFN : Module<Tensor, Tensor>
{
    public readonly Linear w12, w3;

    /// <summary>Creates the FFN; <paramref name="outFeatures"/> defaults to <paramref name="inFeatures"/>.</summary>
    public SwiGLUFFN(long inFeatures, long hiddenFeatures, long? outFeatures = null, bool bias = true) : base("SwiGLUFFN")
    {
        w12 = Linear(inFeatures, 2 * hiddenFeatures, bias);
        w3 = Linear(hiddenFeatures, outFeatures ?? inFeatures, bias);
        RegisterComponents();
    }

    /// <summary>The hidden width the official blocks use: int(2/3 · int(width · mlp_ratio)).</summary>
    public static long HiddenFor(long width, double mlpRatio) => (long)(2.0 / 3.0 * (long)(width * mlpRatio));

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var halves = w12.forward(x).chunk(2, -1);
        return w3.forward(functional.silu(halves[0]) * halves[1]).MoveToOuterDisposeScope();
    }
}
