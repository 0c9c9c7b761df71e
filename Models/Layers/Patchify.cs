using static TorchSharp.torch;

namespace RAE.Grid.Models.Layers;

/// <summary>
/// The one patch layout of every model here: the decoder's (official <c>GeneralDecoder.unpatchify</c>, MAE's
/// <c>patchify</c>) and the DiTs' (official <c>unpatchify</c>, einsum <c>nhwpqc→nchpwq</c>) are the same order.
/// Token h·W+w holds the p×p×c patch at grid cell (h, w), ordered (row in patch, column in patch, channel) with the
/// channel fastest, so pixel (c, h·p+i, w·p+j) = tokens[h·W+w, (i·p+j)·C + c]. Both directions are pure permutations.
/// </summary>
public static class Patchify
{
    /// <summary>
    /// Tokens [B, gridH·gridW, p·p·C] → image [B, C, gridH·p, gridW·p]. The grid defaults to a square one;
    /// give <paramref name="gridHeight"/> and <paramref name="gridWidth"/> for other shapes.
    /// </summary>
    public static Tensor Unpatchify(Tensor tokens, int patchSize, int channels = 3, long? gridHeight = null, long? gridWidth = null)
    {
        if (tokens.dim() != 3 || tokens.shape[2] != (long)patchSize * patchSize * channels)
            throw new ArgumentException(
                $"tokens must be [B, N, {patchSize}·{patchSize}·{channels}], got [{string.Join(",", tokens.shape)}]", nameof(tokens));
        var (b, n) = (tokens.shape[0], tokens.shape[1]);
        var (h, w) = Grid(n, gridHeight, gridWidth);
        using var scope = NewDisposeScope();
        return tokens.reshape(b, h, w, patchSize, patchSize, channels)
            .permute(0, 5, 1, 3, 2, 4) // n h w p q c -> n c h p w q
            .reshape(b, channels, h * patchSize, w * patchSize).MoveToOuterDisposeScope();
    }

    /// <summary>The inverse of <see cref="Unpatchify"/>: image [B, C, H, W] → tokens [B, (H/p)·(W/p), p·p·C].</summary>
    public static Tensor ToPatches(Tensor image, int patchSize)
    {
        if (image.dim() != 4 || image.shape[2] % patchSize != 0 || image.shape[3] % patchSize != 0)
            throw new ArgumentException(
                $"image must be [B, C, H, W] with H and W multiples of {patchSize}, got [{string.Join(",", image.shape)}]", nameof(image));
        var (b, c) = (image.shape[0], image.shape[1]);
        var (h, w) = (image.shape[2] / patchSize, image.shape[3] / patchSize);
        using var scope = NewDisposeScope();
        return image.reshape(b, c, h, patchSize, w, patchSize)
            .permute(0, 2, 4, 3, 5, 1) // n c h p w q -> n h w p q c
            .reshape(b, h * w, (long)patchSize * patchSize * c).MoveToOuterDisposeScope();
    }

    private static (long H, long W) Grid(long n, long? gridHeight, long? gridWidth)
    {
        if (gridHeight is { } gh && gridWidth is { } gw)
            return gh * gw == n ? (gh, gw) : throw new ArgumentException($"grid {gh}×{gw} does not hold {n} tokens");
        if (gridHeight is not null || gridWidth is not null)
            throw new ArgumentException("give both grid height and width, or neither");
        var side = (long)Math.Round(Math.Sqrt(n));
        return side * side == n ? (side, side) : throw new ArgumentException($"{n} tokens are not a square grid; give the grid");
    }
}
