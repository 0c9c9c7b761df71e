using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints.Torch;

/// <summary>
/// A tensor of a checkpoint, not yet read: a strided view (<see cref="Offset"/>, <see cref="Shape"/>,
/// <see cref="Stride"/>, in elements) of one <see cref="Storage"/>, exactly what <c>_rebuild_tensor_v2</c> receives.
/// Several tensors may view one storage (tied weights, slices, transposes). The constructor checks that the view
/// fits inside the storage, so loading can never read outside it.
/// </summary>
public sealed class TorchTensorRef
{
    /// <summary>The storage viewed.</summary>
    public TorchStorageRef Storage { get; }
    /// <summary>First element of the view in the storage.</summary>
    public long Offset { get; }
    /// <summary>Sizes of the view (empty for a 0-d scalar).</summary>
    public long[] Shape { get; }
    /// <summary>Strides of the view, in elements.</summary>
    public long[] Stride { get; }

    /// <summary>Element type of the tensor.</summary>
    public ScalarType DType => Storage.Type.DType;

    /// <summary>Validates a view of <paramref name="storage"/>; a view reaching outside it raises.</summary>
    public TorchTensorRef(TorchStorageRef storage, long offset, long[] shape, long[] stride)
    {
        Storage = storage; Offset = offset; Shape = shape; Stride = stride;
        string View() => $"view [{string.Join(",", shape)}] stride [{string.Join(",", stride)}] offset {offset}";
        if (shape.Length != stride.Length)
            throw new InvalidDataException($"tensor {View()}: shape and stride differ in rank");
        if (offset < 0 || shape.Any(d => d < 0) || stride.Any(s => s < 0))
            throw new InvalidDataException($"tensor {View()}: negative size, stride or offset");
        try
        {
            long numel = 1, last = 0;
            for (var i = 0; i < shape.Length; i++)
            {
                numel = checked(numel * shape[i]);
                if (shape[i] > 0) last = checked(last + (shape[i] - 1) * stride[i]);
            }
            if (numel > 0 && checked(offset + last + 1) > storage.Numel)
                throw new InvalidDataException($"tensor {View()} reaches element {offset + last} of storage " +
                    $"'{storage.Key}' which holds only {storage.Numel} elements");
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"tensor {View()} has an absurd size");
        }
    }
}
