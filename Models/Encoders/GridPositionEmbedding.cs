using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders;

/// <summary>
/// Resizes a learned or fixed position table laid out on a square grid, as HF's <c>interpolate_pos_encoding</c>
/// methods do: rows [G·G, D] → [1, D, G, G] → bicubic to an explicit (h, w), align_corners false → [h·w, D].
/// The antialias flag is the one real difference between models: DINOv2-with-registers sets it, SigLIP and
/// ViT-MAE do not.
/// </summary>
public static class GridPositionEmbedding
{
    /// <summary>
    /// <paramref name="table"/>: [1, G·G, D] (patch rows only). Returns [1, h·w, D] in the table's dtype.
    /// With <paramref name="computeInFloat32"/> the resize runs in float32 and is cast back (HF DINOv2 does this
    /// so bf16/fp16 models interpolate exactly like fp32 ones).
    /// </summary>
    public static Tensor Resize(Tensor table, long newHeight, long newWidth, bool antialias, bool computeInFloat32)
    {
        using var scope = NewDisposeScope();
        var (positions, dim) = (table.shape[1], table.shape[2]);
        var side = (long)Math.Sqrt(positions);
        if (side * side != positions)
            throw new ArgumentException($"position table has {positions} rows, which is not a square grid");
        var dtype = table.dtype;
        var grid = table.reshape(1, side, side, dim).permute(0, 3, 1, 2);
        if (computeInFloat32) grid = grid.to(ScalarType.Float32);
        var resized = functional.interpolate(grid, size: [newHeight, newWidth], mode: InterpolationMode.Bicubic,
            align_corners: false, antialias: antialias);
        return resized.to(dtype).permute(0, 2, 3, 1).reshape(1, newHeight * newWidth, dim).MoveToOuterDisposeScope();
    }
}
