using RAE.Grid.Models.Runtime;
using static TorchSharp.torch;

namespace RAE.Grid.Benchmarks;

/// <summary>A kind of block in a stage, how many the full stage has, and its matmul anatomy.</summary>
public sealed record BlockSpec(string Name, int Depth, BlockShape Shape);

/// <summary>
/// One stage built by the real model classes at real widths, in one dtype on one device, ready to time at any batch.
/// In <see cref="BenchMode.Full"/> the model has its full depth; in <see cref="BenchMode.Blocks"/> every block group
/// has depth 1, so <see cref="Forward"/> runs the embeddings, one block of each kind and the final layers, and the
/// whole stage is estimated as that plus (depth − 1) × the time of each block.
/// </summary>
public abstract class StageBench(BenchMode mode, ComputeOptions compute) : IDisposable
{
    public BenchMode Mode { get; } = mode;
    public ScalarType DType { get; } = compute.ScalarType;
    public Device Device { get; } = compute.TorchDevice;

    /// <summary>Depth of the model actually built for a block group of full depth <paramref name="depth"/>.</summary>
    protected int Built(int depth) => Mode == BenchMode.Full ? depth : 1;

    /// <summary>Command-line name, e.g. "encoder".</summary>
    public abstract string Name { get; }

    /// <summary>What is run, in a few words with the widths.</summary>
    public abstract string Description { get; }

    /// <summary>The block kinds of the full stage, in forward order.</summary>
    public abstract IReadOnlyList<BlockSpec> Blocks { get; }

    /// <summary>FLOPs of the parts outside the blocks (patch embeds, conditioning, output projections), per image.</summary>
    public abstract double OtherFlopsPerImage { get; }

    /// <summary>FLOPs of one full-depth forward of one image.</summary>
    public double FlopsPerImage => OtherFlopsPerImage + Blocks.Sum(b => b.Depth * b.Shape.Flops);

    /// <summary>FLOPs of one forward of the model as built (depth 1 per group in blocks mode), per image.</summary>
    public double BuiltFlopsPerImage => OtherFlopsPerImage + Blocks.Sum(b => Built(b.Depth) * b.Shape.Flops);

    /// <summary>
    /// The model's forward on random real-shaped inputs of batch <paramref name="batch"/>. The inputs are made now,
    /// in the caller's dispose scope; the returned function only runs the forward.
    /// </summary>
    public abstract Func<Tensor> Forward(long batch);

    /// <summary>
    /// Block <paramref name="index"/> of <see cref="Blocks"/> on inputs made now with the shapes and the memory layout
    /// the real forward gives them; <paramref name="contiguous"/> makes contiguous copies instead, to see what the
    /// layout costs.
    /// </summary>
    public abstract Func<Tensor> Block(int index, long batch, bool contiguous = false);

    /// <summary>Random input in the stage's dtype and device.</summary>
    protected Tensor Input(params long[] shape) => randn(shape, dtype: DType, device: Device);

    public abstract void Dispose();
}
