using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>SiglipVisionEmbeddings</c>: a stride-p "valid" convolution (<c>patch_embedding</c>), flattened row-major,
/// plus a learned table (<c>position_embedding</c>, one row per grid cell, no CLS). With interpolation on, the
/// table is bicubically resized (no antialias) when the grid differs; RAE's <c>SigLIP2wNorm</c> always asks for it.
/// </summary>
public sealed class SiglipVisionEmbeddings : Module<Tensor, Tensor>
{
    private readonly int _patchSize;
    public readonly Conv2d patch_embedding;
    public readonly Embedding position_embedding;

    public SiglipVisionEmbeddings(SiglipVisionConfig config) : base("SiglipVisionEmbeddings")
    {
        _patchSize = config.PatchSize;
        patch_embedding = Conv2d(config.NumChannels, config.HiddenSize, config.PatchSize, stride: config.PatchSize);
        position_embedding = Embedding(config.PositionGridSize * config.PositionGridSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>[B,C,H,W] normalized pixels → [B, N, D].</summary>
    public Tensor Forward(Tensor pixels, bool interpolatePosEncoding)
    {
        using var scope = NewDisposeScope();
        var (h, w) = (pixels.shape[2], pixels.shape[3]);
        var weight = position_embedding.weight!;
        var x = patch_embedding.forward(pixels.to(patch_embedding.weight!.dtype)).flatten(2).transpose(1, 2);
        var numPositions = weight.shape[0];
        Tensor pos;
        if (!interpolatePosEncoding || (x.shape[1] == numPositions && h == w))
        {
            // HF adds position_embedding(position_ids) = the table itself; a grid mismatch fails in the add, as there.
            pos = weight.unsqueeze(0);
        }
        else
        {
            pos = GridPositionEmbedding.Resize(weight.unsqueeze(0), h / _patchSize, w / _patchSize,
                antialias: false, computeInFloat32: false);
        }
        return (x + pos).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor pixels) => Forward(pixels, false);
}
