namespace RAE.Grid.Grains.Configuration;

/// <summary>Stage names, as used in configuration and silo metadata.</summary>
public static class StageNames
{
    public const string Encoder = "encoder";
    public const string Decoder = "decoder";
    public const string Diffusion = "diffusion";
    public const string Verifier = "verifier";
    /// <summary>The LLM of a text-to-image bundle: prompt → condition tokens.</summary>
    public const string Text = "text";
    public static readonly string[] All = [Encoder, Decoder, Diffusion, Verifier, Text];
}
