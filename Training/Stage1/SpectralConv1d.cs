using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training.Stage1;

#pragma warning disable IDE1006 // names mirror torch.nn.utils.spectral_norm's state-dict keys

/// <summary>
/// Conv1d with spectral normalization (the official <c>SpectralConv1d</c>). TorchSharp 0.107 has no
/// <c>torch.nn.utils.spectral_norm</c>, so this re-implements it: parameter <c>weight_orig</c>, buffers
/// <c>weight_u</c>/<c>weight_v</c>; in training one power iteration per forward (eps 1e-12) updates u, v in place,
/// and the weight used is weight_orig / σ with σ = uᵀ W v (gradient through W only). Circular padding as
/// <c>padding_mode='circular'</c>.
/// </summary>
public sealed class SpectralConv1d : Module<Tensor, Tensor>
{
    public readonly Parameter weight_orig;
    public readonly Parameter bias;
    public readonly Tensor weight_u;
    public readonly Tensor weight_v;
    readonly int _padding;

    /// <summary>Conv1d(in → out, kernel, padding = kernel/2 circular) with nn.Conv1d's default init.</summary>
    public SpectralConv1d(int inChannels, int outChannels, int kernelSize) : base("SpectralConv1d")
    {
        _padding = kernelSize / 2;
        var fanIn = (double)inChannels * kernelSize;
        var bound = 1 / Math.Sqrt(fanIn); // kaiming_uniform(a=√5) and the bias init both give U(±1/√fan_in)
        weight_orig = Parameter((rand(outChannels, inChannels, kernelSize) * 2 - 1) * bound);
        bias = Parameter((rand(outChannels) * 2 - 1) * bound);
        weight_u = functional.normalize(randn(outChannels), p: 2, dim: 0, eps: 1e-12);
        weight_v = functional.normalize(randn((long)inChannels * kernelSize), p: 2, dim: 0, eps: 1e-12);
        register_parameter(nameof(weight_orig), weight_orig);
        register_parameter(nameof(bias), bias);
        register_buffer(nameof(weight_u), weight_u);
        register_buffer(nameof(weight_v), weight_v);
    }

    /// <summary>The normalized weight W/σ (updating u, v first when training).</summary>
    public Tensor NormalizedWeight()
    {
        using var scope = NewDisposeScope();
        var mat = weight_orig.reshape(weight_orig.shape[0], -1);
        if (training)
            using (no_grad())
            {
                weight_v.copy_(functional.normalize(mat.t().mv(weight_u), p: 2, dim: 0, eps: 1e-12));
                weight_u.copy_(functional.normalize(mat.mv(weight_v), p: 2, dim: 0, eps: 1e-12));
            }
        // torch clones u and v before using them so the in-place update of the next call cannot touch this graph.
        var sigma = weight_u.clone().dot(mat.mv(weight_v.clone()));
        return (weight_orig / sigma).MoveToOuterDisposeScope();
    }

    /// <summary>[B,C,L] → [B,out,L].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        if (_padding > 0) x = functional.pad(x, [_padding, _padding], TorchSharp.PaddingModes.Circular);
        return functional.conv1d(x, NormalizedWeight(), bias).MoveToOuterDisposeScope();
    }
}
