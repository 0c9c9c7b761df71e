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
