namespace RAE.Grid.Models.Imaging;

/// <summary>
/// Named limits on images accepted from users, checked before decoding allocates pixels.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>Largest encoded file accepted, in bytes (default 64 MiB).</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;
    /// <summary>Largest width or height accepted, in pixels (default 8192).</summary>
    public int MaxSide { get; init; } = 8192;
    /// <summary>Largest width × height accepted, in pixels (default 4096 × 4096): a decoded image is 12 bytes a pixel as float32.</summary>
    public long MaxPixels { get; init; } = 4096L * 4096;

    /// <summary>The defaults.</summary>
    public static ImageLimits Default { get; } = new();
}
