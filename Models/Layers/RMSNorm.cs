using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Layers;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// RMSNorm of the official model_utils.py (the LightningDiT blocks' norms and q/k norms) and HF <c>Qwen2RMSNorm</c>
/// (the Qwen2 LLM's <c>input_layernorm</c>, <c>post_attention_layernorm</c> and final <c>norm</c>):
/// <c>x·rsqrt(mean(x²) + eps)·weight</c>. The normalisation runs in float32 for half-precision inputs and is cast back
/// before the weight is applied (the official fp32 island, <c>_norm(x.float()).type_as(x) * weight</c>; HF's
/// <c>weight * hidden_states.to(input_dtype)</c> is the same product, as an elementwise multiply commutes exactly).
/// Float64 inputs stay float64 rather than being narrowed to float32; for float32 and bf16 models this is the official
/// computation exactly.
/// </summary>
public sealed class RMSNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>Learnable per-channel scale (key <c>weight</c>).</summary>
    public readonly Parameter weight;

    /// <summary>Added to the mean square before the reciprocal square root.</summary>
    public double Eps { get; }

    /// <summary>Creates the norm over the last dimension of size <paramref name="dim"/>.</summary>
    public RMSNorm(long dim, double eps = 1e-6) : base("RMSNorm")
    {
        Eps = eps;
        weight = new Parameter(ones(dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var xf = x.dtype is ScalarType.Float32 or ScalarType.Float64 ? x : x.to(ScalarType.Float32);
        var normed = xf * rsqrt(xf.pow(2).mean([-1], keepdim: true) + Eps);
        return (normed.to(x.dtype) * weight).MoveToOuterDisposeScope();
    }
}
