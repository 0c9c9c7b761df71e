using static TorchSharp.torch;

namespace RAE.Grid.Training.Data;

/// <summary>
/// A labelled image set held in memory as uint8 (a 60k×28×28 split is 47 MB; float copies are made per batch).
/// </summary>
/// <param name="Images">uint8 [N, C, H, W] with C = 1 (grey) or 3 (RGB).</param>
/// <param name="Labels">int64 [N], class indices into <paramref name="ClassNames"/>.</param>
/// <param name="ClassNames">names of the classes, index = label.</param>
public sealed record LabeledImages(Tensor Images, Tensor Labels, IReadOnlyList<string> ClassNames)
{
    /// <summary>Number of images.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>Image height (= width for the sets used here).</summary>
    public int Height => (int)Images.shape[2];

    /// <summary>Image width.</summary>
    public int Width => (int)Images.shape[3];

    /// <summary>The first <paramref name="n"/> images (a view, no copy); n larger than the set keeps all.</summary>
    public LabeledImages Take(int n) => n >= Count ? this : this with { Images = Images[..n], Labels = Labels[..n] };

    /// <summary>
    /// The images at <paramref name="indices"/> as float32 [B,3,H,W] in [0,1]: grey is repeated to RGB, because
    /// every encoder and the grid's image path take three channels.
    /// </summary>
    public Tensor ToFloatRgb(Tensor indices)
    {
        using var scope = NewDisposeScope();
        var x = Images.index_select(0, indices).to(ScalarType.Float32) / 255f;
        if (x.shape[1] == 1) x = x.expand(-1, 3, -1, -1).contiguous();
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>All images as float32 RGB in [0,1], in order.</summary>
    public Tensor ToFloatRgb(int start, int count)
    {
        using var scope = NewDisposeScope();
        return ToFloatRgb(arange(start, start + count, dtype: ScalarType.Int64)).MoveToOuterDisposeScope();
    }
}
