using static TorchSharp.torch;

namespace RAE.Grid.Training.Data;

/// <summary>One training batch: float32 [B,3,H,W] images in [0,1] and int64 [B] labels. Disposing frees both.</summary>
public sealed record ImageBatch(Tensor Images, Tensor Labels) : IDisposable
{
    /// <summary>Batch size.</summary>
    public int Size => (int)Images.shape[0];

    /// <inheritdoc/>
    public void Dispose() { Images.Dispose(); Labels.Dispose(); }
}
