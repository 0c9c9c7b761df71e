using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Rae;

namespace RAE.Grid.Models.Verifiers;

/// <summary>Loads a bundle's verifier by its <see cref="VerifierSection.Type"/>, next to the bundle's loaded RAE.</summary>
public static class VerifierLoader
{
    /// <summary>Loads <paramref name="section"/> of <paramref name="model"/>'s bundle on the model's device.</summary>
    public static ILatentVerifier Load(RaeModel model, VerifierSection section) => section.Type switch
    {
        SiglipTextLatentVerifier.TypeName => SiglipTextLatentVerifier.Load(model, section),
        ClassProbeVerifier.TypeName => ClassProbeVerifier.Load(section.Name, model.Bundle.Resolve(section.Weights), model.LatentShape,
            model.Diffusion?.NumClasses ?? model.Bundle.Misc.NumClasses),
        AnswerLogitsVerifier.TypeName or PromptConfidenceVerifier.TypeName => LlmVerifierLoader.Load(model, section),
        _ => throw new BundleValidationException(model.Bundle.Name,
            [$"verifiers '{section.Name}'.type: '{section.Type}' is not one of {string.Join(", ", VerifierSection.Types)}"]),
    };
}
