using System.Security.Cryptography;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.T2I;

namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// Builds Scale-RAE's LLM latent verifiers (<c>answer-logits</c>, <c>prompt-confidence</c>) on a bundle's <c>t2i</c>
/// model: they share its loaded LLM and <c>mm_projector</c>, and their prompts are the official templates
/// (<c>build_prompt(..., with_image=True)</c>) with the section's system message, tokenized by its tokenizer.
/// </summary>
internal static class LlmVerifierLoader
{
    /// <summary>The spellings <c>get_score</c> tries for each answer.</summary>
    internal static readonly string[] YesVariants = ["yes", "Yes", "YES", " yes", " Yes", " YES"];
    internal static readonly string[] NoVariants = ["no", "No", "NO", " no", " No", " NO"];

    public static ILatentVerifier Load(RaeModel model, VerifierSection section)
    {
        var where = $"verifiers '{section.Name}'";
        var precision = section.SplicePrecision switch
        {
            null or "official-bf16" => SplicePrecision.OfficialBf16Cast,
            "none" => SplicePrecision.NoCast,
            var other => throw new BundleValidationException(model.Bundle.Name,
                [$"{where}.splice_precision: '{other}' is not one of {string.Join(", ", VerifierSection.SplicePrecisions)}"]),
        };
        var t2i = model.TextToImage();
        var understanding = t2i.Understanding(precision);
        var tokenizer = t2i.Tokenizer;
        var system = t2i.Section.Templates.System;
        long[] WithImage(string question) =>
            LatentSplicing.TokenizeWithImage(tokenizer.Encode, ScaleRaePrompts.WithImage(question, system));
        var version = VersionOf(section.Type, model.Bundle.Resolve(t2i.Section.Llm.Weights));
        switch (section.Type)
        {
            case AnswerLogitsVerifier.TypeName:
                var yes = SingleTokenIds(tokenizer, YesVariants, $"{where}: yes", model.Bundle.Name);
                var no = SingleTokenIds(tokenizer, NoVariants, $"{where}: no", model.Bundle.Name);
                return new AnswerLogitsVerifier(section.Name, version, understanding, p => WithImage(AnswerLogitsVerifier.Question(p)),
                    yes, no, tokenizer.SpecialId(Qwen2Tokenizer.ImEnd), section.MaxNewTokens ?? AnswerLogitsVerifier.OfficialMaxNewTokens);
            case PromptConfidenceVerifier.TypeName:
                var question = WithImage(PromptConfidenceVerifier.Question);
                return new PromptConfidenceVerifier(section.Name, version, understanding, _ => question,
                    p => tokenizer.Encode(p).Select(x => (long)x).ToArray());
            default:
                throw new ArgumentException($"{where}.type: '{section.Type}' is not an LLM verifier", nameof(section));
        }
    }

    /// <summary>
    /// The ids of the variants the tokenizer encodes as one token. A variant split into pieces is skipped: its pieces
    /// (e.g. "Y", "ES") would count any such piece as the answer. No single-token variant at all is an error.
    /// </summary>
    static HashSet<long> SingleTokenIds(Qwen2Tokenizer tokenizer, string[] variants, string what, string bundle)
    {
        var ids = variants.Select(tokenizer.Encode).Where(t => t.Count == 1).Select(t => (long)t[0]).ToHashSet();
        if (ids.Count == 0)
            throw new BundleValidationException(bundle, [$"{what}: the t2i tokenizer encodes none of {string.Join(", ", variants.Select(v => $"'{v}'"))} as one token"]);
        return ids;
    }

    /// <summary>The type, "@" and the first 12 hex digits of the t2i weights file's SHA-256 (its index, when sharded).</summary>
    public static string VersionOf(string type, string weightsPath)
    {
        using var f = File.OpenRead(weightsPath);
        return $"{type}@{Convert.ToHexStringLower(SHA256.HashData(f))[..12]}";
    }
}
