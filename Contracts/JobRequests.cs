namespace RAE.Grid.Contracts;

/// <summary>What a job does.</summary>
[GenerateSerializer, Alias("rae.JobKind")]
public enum JobKind
{
    /// <summary>Images → encoder → decoder → stored PNGs.</summary>
    Reconstruct,
    /// <summary>Class labels × samples per label → diffusion → decoder → stored PNGs.</summary>
    Generate,
    /// <summary>Images → encoder → latents stored as safetensors shards.</summary>
    Encode,
}

/// <summary>
/// One input image: either its encoded bytes inline (PNG/JPEG/BMP), or a URI the grid's store can read (a blob name in the
/// configured store, or an <c>http(s)</c> blob URL of it). <see cref="Name"/> names the item in errors and outputs.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.ImageSource")]
public sealed record ImageSource(
    [property: Id(0)] string Name,
    [property: Id(1)] byte[]? Inline = null,
    [property: Id(2)] string? Uri = null);

/// <summary>Guidance of a generation job: none, CFG with a t-interval, or AutoGuidance (the bundle's weak model).</summary>
[GenerateSerializer, Immutable, Alias("rae.GuidanceSpec")]
public sealed record GuidanceSpec(
    [property: Id(0)] string Method = "none",
    [property: Id(1)] double Scale = 1.0,
    [property: Id(2)] double TMin = 0.0,
    [property: Id(3)] double TMax = 1.0);

/// <summary>A generation job's settings; null fields take the bundle's defaults.</summary>
[GenerateSerializer, Immutable, Alias("rae.GenerateSpec")]
public sealed record GenerateSpec(
    [property: Id(0)] int[] Classes,
    [property: Id(1)] int PerClass,
    [property: Id(2)] long Seed,
    [property: Id(3)] int? Steps = null,
    [property: Id(4)] string? Sampler = null,
    [property: Id(5)] GuidanceSpec? Guidance = null,
    [property: Id(6)] int? OutputSize = null);

/// <summary>
/// A job as submitted: the kind, the model bundle id (clients name registry ids, never paths), and the inputs of that
/// kind. <see cref="OutputPrefix"/> defaults to <c>jobs/&lt;job id&gt;</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.JobRequest")]
public sealed record JobRequest(
    [property: Id(0)] JobKind Kind,
    [property: Id(1)] string BundleId,
    [property: Id(2)] ImageSource[]? Images = null,
    [property: Id(3)] GenerateSpec? Generate = null,
    [property: Id(4)] int ShardSize = 256,
    [property: Id(5)] string? OutputPrefix = null);
