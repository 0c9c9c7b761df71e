using static TorchSharp.torch;

namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// A verifier of generated latents (Scale-RAE §5, "latent test-time scaling"): it reads latents in the RAE's latent space
/// — without decoding them — and scores how well each matches its condition; higher is better. The grid's verifier stage
/// batches candidates of many items into one <see cref="Score"/> call, so an implementation scores every row on its own
/// (a row's score never depends on the others in the batch). The LLM verifiers of the T2I model (Answer Logits, Prompt
/// Confidence) implement this same interface.
/// </summary>
public interface ILatentVerifier
{
    /// <summary>The name a request selects it by (the bundle's <c>verifiers[].name</c>).</summary>
    string Name { get; }

    /// <summary>What exactly scored: the type and a hash of its weights, recorded beside every score.</summary>
    string Version { get; }

    /// <summary>
    /// Scores <paramref name="latents"/> [B, C, H, W] — normalized latents as the diffusion model generates them — against
    /// <paramref name="conditions"/> (one per row). Returns [B] float32 scores on the CPU.
    /// </summary>
    Tensor Score(Tensor latents, IReadOnlyList<LatentCondition> conditions);
}
