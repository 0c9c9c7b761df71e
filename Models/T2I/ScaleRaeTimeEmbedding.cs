using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.T2I;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// Scale-RAE's <c>GaussianFourierEmbedding</c> (diffusion_loss/models/model_utils.py): features
/// [sin(2π·t·W), cos(2π·t·W)] (sin first), then <c>mlp</c> = Linear → SiLU → Linear. Unlike RAE's, <c>W</c> is a plain
/// attribute, never saved: the official constructor redraws it from <c>torch.Generator().manual_seed(114514)</c>, so
/// it is rebuilt here the same way with libtorch's CPU generator and kept out of the state dict.
/// </summary>
public sealed class ScaleRaeTimeEmbedding : Module<Tensor, Tensor>
{
    /// <summary>The seed of the official constructor.</summary>
    public const ulong OfficialSeed = 114514;

    // Held as an array, not a Tensor field, so RegisterComponents does not make it a buffer (it is no checkpoint key).
    private readonly float[] _w;
    public readonly Sequential mlp;

    public ScaleRaeTimeEmbedding(int hiddenSize, int embeddingSize = 256) : base("GaussianFourierEmbedding")
    {
        _w = BuildW(embeddingSize);
        mlp = Sequential(Linear(2 * embeddingSize, hiddenSize), SiLU(), Linear(hiddenSize, hiddenSize));
        RegisterComponents();
    }

    /// <summary>
    /// The official <c>W</c>: <c>torch.normal(0, 1, (n,), generator=torch.Generator().manual_seed(114514)).float()</c>.
    /// </summary>
    public static float[] BuildW(int embeddingSize = 256)
    {
        using var generator = new Generator(OfficialSeed);
        using var w = normal(0, 1, [embeddingSize], ScalarType.Float32, generator: generator);
        return w.data<float>().ToArray();
    }

    /// <summary>A copy of <c>W</c> [embedding size].</summary>
    public Tensor W => tensor(_w);

    /// <summary>Embeds times <paramref name="t"/> [B] into [B, hidden].</summary>
    public override Tensor forward(Tensor t)
    {
        using var scope = NewDisposeScope();
        var mlpType = ((Linear)mlp[0]).weight!.dtype;
        // Same op order as t[:, None] * W[None, :] * 2 * pi, formed in at least float32 (angles reach tens of radians).
        var angleType = t.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var a = t.to(angleType).unsqueeze(1) * W.to(angleType, t.device).unsqueeze(0) * 2 * Math.PI;
        return mlp.forward(cat([a.sin(), a.cos()], -1).to(mlpType)).MoveToOuterDisposeScope();
    }
}
