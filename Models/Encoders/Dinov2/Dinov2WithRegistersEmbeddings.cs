using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Dinov2;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>Dinov2WithRegistersEmbeddings</c>: patches, CLS prepended, position table (interpolated to the actual
/// grid, bicubic with antialias, in float32) added to CLS and patches, then the register tokens inserted after
/// CLS: <c>[CLS, reg0..regR-1, patches]</c>. <c>mask_token</c> is part of the checkpoint but only used for
/// masked-image modelling, which RAE never does.
/// </summary>
public sealed class Dinov2WithRegistersEmbeddings : Module<Tensor, Tensor>
{
    private readonly int _patchSize;
    public readonly Parameter cls_token, mask_token, position_embeddings, register_tokens;
    public readonly Dinov2WithRegistersPatchEmbeddings patch_embeddings;

    public Dinov2WithRegistersEmbeddings(Dinov2WithRegistersConfig config) : base("Dinov2WithRegistersEmbeddings")
    {
        _patchSize = config.PatchSize;
        var d = config.HiddenSize;
        var grid = config.PositionGridSize;
        cls_token = Parameter(zeros(1, 1, d));
        mask_token = Parameter(zeros(1, d));
        patch_embeddings = new Dinov2WithRegistersPatchEmbeddings(config);
        position_embeddings = Parameter(zeros(1, 1 + grid * grid, d));
        register_tokens = Parameter(zeros(1, config.NumRegisterTokens, d));
        RegisterComponents();
    }

    /// <summary>
    /// The position table for an image of <paramref name="height"/>×<paramref name="width"/> pixels, [1, 1+h·w, D]:
    /// returned unchanged when the grid already matches (HF's shortcut), else row 0 (CLS) kept and the rest resized.
    /// </summary>
    public Tensor InterpolatePosEncoding(long numPatches, long height, long width)
    {
        var numPositions = position_embeddings.shape[1] - 1;
        if (numPatches == numPositions && height == width) return position_embeddings.alias();
        using var scope = NewDisposeScope();
        var cls = position_embeddings[.., ..1];
        var patches = GridPositionEmbedding.Resize(position_embeddings[.., 1..], height / _patchSize, width / _patchSize,
            antialias: true, computeInFloat32: true);
        return cat([cls, patches], 1).MoveToOuterDisposeScope();
    }

    /// <summary>[B,C,H,W] normalized pixels → [B, 1+R+N, D].</summary>
    public override Tensor forward(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        var (b, h, w) = (pixels.shape[0], pixels.shape[2], pixels.shape[3]);
        var x = patch_embeddings.forward(pixels.to(patch_embeddings.projection.weight!.dtype));
        x = cat([cls_token.expand(b, -1, -1), x], 1);
        x = x + InterpolatePosEncoding(x.shape[1] - 1, h, w);
        x = cat([x[.., ..1], register_tokens.expand(b, -1, -1), x[.., 1..]], 1);
        return x.MoveToOuterDisposeScope();
    }
}
