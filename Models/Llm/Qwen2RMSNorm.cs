using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Llm;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>Qwen2RMSNorm</c>: <c>weight · x / sqrt(mean(x²) + eps)</c>, normalised in float32 for half-precision inputs
/// and cast back before the weight, as HF does (a no-op for float32 models).
/// </summary>
public sealed class Qwen2RMSNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>Per-channel scale (key <c>weight</c>).</summary>
    public readonly Parameter weight;

    private readonly double _eps;

    /// <summary>A norm over the last dimension of size <paramref name="hidden"/>.</summary>
    public Qwen2RMSNorm(long hidden, double eps) : base("Qwen2RMSNorm")
    {
        _eps = eps;
        weight = new Parameter(ones(hidden));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var xf = x.dtype is ScalarType.Float32 or ScalarType.Float64 ? x : x.to(ScalarType.Float32);
        var normed = xf * rsqrt(xf.pow(2).mean([-1], keepdim: true) + _eps);
        return (weight * normed.to(x.dtype)).MoveToOuterDisposeScope();
    }
}
