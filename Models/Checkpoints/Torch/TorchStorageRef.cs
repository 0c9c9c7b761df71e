namespace RAE.Grid.Models.Checkpoints.Torch;

/// <summary>
/// A storage named by a checkpoint's persistent id <c>('storage', type, key, location, numel)</c>: the raw
/// little-endian elements live in the zip entry <c>&lt;stem&gt;/data/&lt;key&gt;</c> and are read only when a tensor
/// that views them is loaded.
/// </summary>
public sealed record TorchStorageRef(string Key, TorchStorageType Type, string Location, long Numel)
{
    /// <summary>Bytes the storage occupies.</summary>
    public long ByteLength => checked(Numel * Type.ElementSize);
}
