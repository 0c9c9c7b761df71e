using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests;

/// <summary>Tensor checks for xunit (TorchSharp's <c>equal</c> is elementwise).</summary>
internal static class TensorAssert
{
    /// <summary>Same shape, same dtype and the same values bit for bit.</summary>
    public static bool BitEqual(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && (a.numel() == 0 || (a == b).all().item<bool>());
}
