using static TorchSharp.torch;

namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// Starting noise x_T seeded per item: item i of a run with seed s always gets the same N(0, I) draw, from a CPU
/// generator seeded by a SplitMix64 mix of (s, i). An item's sample therefore does not depend on which batch,
/// which batch position or which worker produced it.
/// </summary>
public static class ItemNoise
{
    /// <summary>The generator seed for item <paramref name="itemIndex"/> of run <paramref name="seed"/>.</summary>
    public static ulong ItemSeed(long seed, long itemIndex)
    {
        static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        return Mix(Mix((ulong)seed + 0x9E3779B97F4A7C15UL) ^ (ulong)itemIndex);
    }

    /// <summary>x_T for one item: shape <paramref name="latentShape"/> ([C, H, W]), float32 drawn on the CPU.</summary>
    public static Tensor ForItem(long seed, long itemIndex, long[] latentShape, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        using var generator = new Generator(ItemSeed(seed, itemIndex));
        using var scope = NewDisposeScope();
        return randn(latentShape, generator: generator).to(dtype, device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>x_T for items <paramref name="itemIndices"/>, stacked into a batch [B, C, H, W].</summary>
    public static Tensor ForItems(long seed, IReadOnlyList<long> itemIndices, long[] latentShape, Device? device = null,
        ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        var items = itemIndices.Select(i => ForItem(seed, i, latentShape, device, dtype)).ToArray();
        return stack(items, 0).MoveToOuterDisposeScope();
    }
}
