using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// Time embedding of model_utils.py: features [sin(2π·t·W), cos(2π·t·W)] from the frozen random vector
/// <c>W</c> (drawn once at construction and saved as <c>t_embedder.W</c>: load it, never re-sample), then
/// <c>mlp</c> = Linear → SiLU → Linear.
/// </summary>
public sealed class GaussianFourierEmbedding : Module<Tensor, Tensor>
{
    public readonly Parameter W;
    public readonly Sequential mlp;

    /// <summary>Creates the embedding; <c>W</c> starts as N(0, scale²) from <paramref name="generator"/> until loaded.</summary>
    public GaussianFourierEmbedding(int hiddenSize, int embeddingSize = 256, double scale = 1.0, Generator? generator = null)
        : base("GaussianFourierEmbedding")
    {
        W = new Parameter(randn([embeddingSize], generator: generator) * scale, requires_grad: false);
        mlp = Sequential(Linear(2 * embeddingSize, hiddenSize), SiLU(), Linear(hiddenSize, hiddenSize));
        RegisterComponents();
    }

    /// <summary>Embeds times <paramref name="t"/> [B] into [B, hidden].</summary>
    public override Tensor forward(Tensor t)
    {
        using var scope = NewDisposeScope();
        // Same op order as t[:, None] * W[None, :] * 2 * pi. The angles reach tens of radians, so they are formed in
        // at least float32 even for a bf16 model; only the features are cast to the MLP's dtype.
        var w = W.detach();
        var angleType = w.dtype == ScalarType.Float64 || t.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var a = t.to(angleType).unsqueeze(1) * w.to(angleType).unsqueeze(0) * 2 * Math.PI;
        var features = cat([a.sin(), a.cos()], -1);
        var mlpType = ((Linear)mlp[0]).weight!.dtype;
        return mlp.forward(features.to(mlpType)).MoveToOuterDisposeScope();
    }
}
