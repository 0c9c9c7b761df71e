using static TorchSharp.torch;

namespace RAE.Grid.Training.Data;

/// <summary>
/// Seeded epochs over a <see cref="LabeledImages"/> set. An epoch's order (and its random horizontal flips, the
/// stage-2 augmentation of the official data path) depends only on (seed, epoch), so a resumed run that skips the
/// batches it already did sees exactly the batches an uninterrupted run would.
/// </summary>
public sealed class EpochBatches
{
    readonly LabeledImages _data;

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }
    /// <summary>Base seed of the shuffles.</summary>
    public long Seed { get; }
    /// <summary>Flip each image left-right with probability 1/2.</summary>
    public bool HorizontalFlip { get; }
    /// <summary>Drop the last incomplete batch (as the official loaders do).</summary>
    public bool DropLast { get; }

    /// <summary>Creates the epoch source; <paramref name="batchSize"/> must be in 1..N.</summary>
    public EpochBatches(LabeledImages data, int batchSize, long seed, bool horizontalFlip = false, bool dropLast = true)
    {
        if (batchSize < 1 || batchSize > data.Count)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size {batchSize} must be in 1..{data.Count} (the set's size)");
        _data = data;
        BatchSize = batchSize;
        Seed = seed;
        HorizontalFlip = horizontalFlip;
        DropLast = dropLast;
    }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? _data.Count / BatchSize : (_data.Count + BatchSize - 1) / BatchSize;

    /// <summary>The seeded permutation of epoch <paramref name="epoch"/>.</summary>
    public Tensor Order(int epoch)
    {
        using var gen = new Generator(EpochSeed(epoch));
        return randperm(_data.Count, generator: gen);
    }

    /// <summary>The batches of <paramref name="epoch"/>, skipping the first <paramref name="skipBatches"/> (resume).</summary>
    public IEnumerable<ImageBatch> Epoch(int epoch, int skipBatches = 0)
    {
        using var order = Order(epoch);
        using var flipGen = new Generator(EpochSeed(epoch) ^ 0x5DEECE66DUL);
        using var flips = rand([_data.Count], generator: flipGen) < 0.5;
        for (int b = skipBatches; b < BatchesPerEpoch; b++)
        {
            int start = b * BatchSize, count = Math.Min(BatchSize, _data.Count - start);
            ImageBatch batch;
            using (var scope = NewDisposeScope())
            {
                var idx = order.narrow(0, start, count);
                var images = _data.ToFloatRgb(idx);
                if (HorizontalFlip)
                {
                    var f = flips.narrow(0, start, count).view(-1, 1, 1, 1);
                    images = where(f, images.flip(3), images);
                }
                batch = new ImageBatch(images.MoveToOuterDisposeScope(), _data.Labels.index_select(0, idx).MoveToOuterDisposeScope());
            }
            yield return batch;
        }
    }

    ulong EpochSeed(int epoch) => unchecked((ulong)Seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL + 1);
}
