using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Mae;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>ViTMAEEmbeddings</c> (transformers 4.56): patches + fixed sin-cos positions (<c>position_embeddings</c>, a
/// frozen parameter in the checkpoint with a zero CLS row), random masking by argsort of a noise tensor, then
/// CLS + pos[0] prepended. With interpolation on, the table is ALWAYS resized bicubically (no antialias) to the
/// actual grid: HF's "already the right size" test compares against the patch count minus one (HF issue #32410),
/// so it never fires; a same-size bicubic resize is an exact copy, so this costs nothing in accuracy.
/// </summary>
public sealed class ViTMAEEmbeddings : Module<Tensor, Tensor>
{
    private readonly int _patchSize;
    public readonly Parameter cls_token, position_embeddings;
    public readonly ViTMAEPatchEmbeddings patch_embeddings;

    public ViTMAEEmbeddings(ViTMAEConfig config) : base("ViTMAEEmbeddings")
    {
        _patchSize = config.PatchSize;
        var grid = config.PositionGridSize;
        cls_token = Parameter(zeros(1, 1, config.HiddenSize));
        patch_embeddings = new ViTMAEPatchEmbeddings(config);
        position_embeddings = Parameter(zeros(1, 1 + grid * grid, config.HiddenSize), requires_grad: false);
        RegisterComponents();
    }

    /// <summary>The position table for an image of height×width pixels, [1, 1+h·w, D], CLS row kept.</summary>
    public Tensor InterpolatePosEncoding(long height, long width)
    {
        using var scope = NewDisposeScope();
        var patches = GridPositionEmbedding.Resize(position_embeddings[.., 1..], height / _patchSize, width / _patchSize,
            antialias: false, computeInFloat32: false);
        return cat([position_embeddings[.., ..1], patches], 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// HF <c>random_masking</c>: keep the first int(N·(1 − maskRatio)) tokens of argsort(noise). Noise defaults to
    /// U(0,1); RAE passes arange with ratio 0, which keeps every token in order.
    /// </summary>
    public static (Tensor Kept, Tensor Mask, Tensor IdsRestore) RandomMasking(Tensor sequence, Tensor? noise,
        double maskRatio, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var (b, n, d) = (sequence.shape[0], sequence.shape[1], sequence.shape[2]);
        var keep = (long)(n * (1 - maskRatio));
        noise ??= rand([b, n], device: sequence.device, generator: generator);
        var idsShuffle = argsort(noise.to(sequence.device), dim: 1);
        var idsRestore = argsort(idsShuffle, dim: 1);
        var idsKeep = idsShuffle[.., ..(int)keep];
        var kept = gather(sequence, 1, idsKeep.unsqueeze(-1).expand(-1, -1, d));
        var mask = ones([b, n], device: sequence.device);
        mask[.., ..(int)keep].fill_(0);
        mask = gather(mask, 1, idsRestore);
        return (kept.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(), idsRestore.MoveToOuterDisposeScope());
    }

    /// <summary>Embeds [B,C,H,W] normalized pixels with the given noise and mask ratio.</summary>
    public ViTMAEEmbeddingOutput Forward(Tensor pixels, Tensor? noise, double maskRatio, bool interpolatePosEncoding)
    {
        using var scope = NewDisposeScope();
        var (b, h, w) = (pixels.shape[0], pixels.shape[2], pixels.shape[3]);
        var x = patch_embeddings.forward(pixels);
        var pos = interpolatePosEncoding ? InterpolatePosEncoding(h, w) : position_embeddings.alias();
        x = x + pos[.., 1..];
        var (kept, mask, idsRestore) = RandomMasking(x, noise, maskRatio);
        var cls = (cls_token + pos[.., ..1]).expand(b, -1, -1);
        var emb = cat([cls, kept], 1);
        return new ViTMAEEmbeddingOutput(emb.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(),
            idsRestore.MoveToOuterDisposeScope(), pos.MoveToOuterDisposeScope());
    }

    /// <summary>Embeds with U(0,1) noise and a mask ratio of 0 (every token kept, in a random order).</summary>
    public override Tensor forward(Tensor pixels) => Forward(pixels, null, 0, true).Embeddings;
}
