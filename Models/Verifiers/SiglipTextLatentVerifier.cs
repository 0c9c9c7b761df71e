using System.Globalization;
using System.Security.Cryptography;
using TorchSharp.Modules;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Siglip;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Verifiers;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// SigLIP-2 text–latent alignment (Scale-RAE §5, latent test-time scaling) for a bundle whose encoder is SigLIP-2
/// (<c>SigLIP2wNorm</c>): a generated latent is de-normalized with the bundle's latent stats (as decoding does), read
/// as tokens [B, h·w, D], passed through the vision tower's <c>post_layernorm</c> and attention-pooling <c>head</c> —
/// the part of the tower after the layers the RAE encoder already ran — and scored against the text tower's embedding
/// of the condition text like SigLIP's <c>logits_per_image</c>: cos(image, text)·exp(logit_scale) + logit_bias.
/// Weights use HF key names (<c>vision_model.post_layernorm.*</c>, <c>vision_model.head.*</c>, <c>text_model.*</c>,
/// <c>logit_scale</c>, <c>logit_bias</c>); a full <c>SiglipModel</c> checkpoint also loads, its vision embeddings and
/// layers ignored.
/// </summary>
public sealed class SiglipTextLatentVerifier : Module, ILatentVerifier
{
    /// <summary>The bundle's <c>verifiers[].type</c> of this verifier.</summary>
    public const string TypeName = "siglip2-text";

    /// <summary>
    /// The text a class-conditional condition (label ≥ 0) is scored against: its class name in SigLIP's zero-shot
    /// prompt form. A text-only condition (label −1, a prompt) is scored as given.
    /// </summary>
    public const string ClassPromptTemplate = "this is a photo of {0}.";

    /// <summary>Distinct condition texts whose embeddings are kept; the cache is emptied when it reaches this many.</summary>
    public const int MaxCachedTexts = 4096;

    /// <summary>Checkpoint key prefixes of the vision layers the RAE encoder already ran; a full checkpoint's are ignored.</summary>
    public static readonly string[] EncoderOnlyPrefixes = ["vision_model.embeddings.", "vision_model.encoder."];

    /// <summary>The vision tower's tail: <c>post_layernorm</c> (with affine) and the pooling <c>head</c>.</summary>
    sealed class VisionTail : Module
    {
        public readonly LayerNorm post_layernorm;
        public readonly SiglipMultiheadAttentionPoolingHead head;

        public VisionTail(SiglipVisionConfig config) : base("vision_model")
        {
            post_layernorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
            head = new SiglipMultiheadAttentionPoolingHead(config);
            RegisterComponents();
        }
    }

    readonly VisionTail vision_model;
    readonly SiglipTextTransformer text_model;
    readonly Parameter logit_scale, logit_bias;
    readonly LatentStats _stats;
    readonly SiglipTokenizer? _tokenizer;
    readonly string[]? _classNames;
    readonly Dictionary<string, Tensor> _textEmbeds = new();

    public string Name { get; }
    public string Version { get; }

    SiglipTextLatentVerifier(string name, string version, SiglipVisionConfig vision, SiglipTextConfig text,
        LatentStats stats, SiglipTokenizer? tokenizer, string[]? classNames) : base("SiglipTextLatentVerifier")
    {
        Name = name; Version = version; _stats = stats; _tokenizer = tokenizer; _classNames = classNames;
        vision_model = new VisionTail(vision);
        text_model = new SiglipTextTransformer(text);
        logit_scale = Parameter(zeros(1));
        logit_bias = Parameter(zeros(1));
        RegisterComponents();
    }

    /// <summary>
    /// Builds the verifier from configs and a state dict, loaded strictly (every missing, unexpected or mis-shaped key is
    /// named). <paramref name="stats"/> are the bundle's latent stats; <paramref name="tokenizer"/> may be null when only
    /// token ids are scored (<see cref="ScorePairs"/>); <paramref name="classNames"/> give label conditions their text.
    /// </summary>
    public static SiglipTextLatentVerifier Load(string name, string version, SiglipVisionConfig vision, SiglipTextConfig text,
        IReadOnlyDictionary<string, Tensor> stateDict, LatentStats stats, SiglipTokenizer? tokenizer = null,
        string[]? classNames = null, string sourceName = "SigLIP-2 verifier weights")
    {
        if (!vision.VisionUseHead) throw new ArgumentException($"{sourceName}: vision_config.vision_use_head is false: there is no pooling head to score with");
        if (vision.HiddenSize != text.ProjectionSize)
            throw new ArgumentException($"{sourceName}: vision hidden_size {vision.HiddenSize} != text projection_size {text.ProjectionSize}: the embeddings cannot be compared");
        var verifier = new SiglipTextLatentVerifier(name, version, vision, text, stats, tokenizer, classNames);
        var source = stateDict.Where(kv => !EncoderOnlyPrefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal)))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        StateDictLoader.LoadFrozen(verifier, source, sourceName);
        return verifier;
    }

    /// <summary>Loads the bundle's <paramref name="section"/> (type <see cref="TypeName"/>) beside <paramref name="model"/>'s RAE.</summary>
    public static SiglipTextLatentVerifier Load(RaeModel model, VerifierSection section)
    {
        var bundle = model.Bundle;
        var where = $"verifiers '{section.Name}'";
        List<string> problems = [];
        if (model.Encoder.RepresentationEncoder is not SigLIP2wNorm)
            problems.Add($"{where}.type: '{TypeName}' needs a SigLIP-2 encoder (stage_1.params.encoder_cls SigLIP2wNorm), the bundle has '{bundle.Stage1.Params.EncoderCls}'");
        if (string.IsNullOrWhiteSpace(section.Config)) problems.Add($"{where}.config: required (an HF SiglipModel config.json with vision_config and text_config)");
        if (section.Tokenizer is not { Length: > 0 }) problems.Add($"{where}.tokenizer: required (tokenizer.model, or vocab.json and merges.txt)");
        if (problems.Count > 0) throw new BundleValidationException(bundle.Name, problems);

        var configPath = bundle.Resolve(section.Config!);
        var vision = SiglipVisionConfig.FromFile(configPath);
        var text = SiglipTextConfig.FromFile(configPath);
        if (vision.HiddenSize != model.LatentShape[0])
            throw new BundleValidationException(bundle.Name,
                [$"{where}.config: vision hidden_size {vision.HiddenSize} != the latent's {model.LatentShape[0]} channels"]);
        var weightsPath = bundle.Resolve(section.Weights);
        var tokenizerPaths = section.Tokenizer!.Select(bundle.Resolve).ToArray();
        var tokenizer = SiglipTokenizer.Load(tokenizerPaths, text, $"{where}.tokenizer");
        var verifier = Load(section.Name, VersionOf([weightsPath, configPath, .. tokenizerPaths]), vision, text, Checkpoint.ReadStateDict(weightsPath),
            model.Decoder.Stats, tokenizer, bundle.Misc.ClassNames, $"{where}.weights ({section.Weights})");
        return bundle.Compute.Apply(verifier);
    }

    /// <summary>
    /// "siglip2-text:" and the first 12 hex digits of a SHA-256 over the files, in order (weights, config, tokenizer):
    /// a changed vocabulary changes the scores as surely as changed weights.
    /// </summary>
    public static string VersionOf(params string[] paths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in paths) hash.AppendData(File.ReadAllBytes(path));
        return $"{TypeName}:{Convert.ToHexStringLower(hash.GetHashAndReset())[..12]}";
    }

    /// <summary>
    /// Normalized latents [B,D,h,w] → pooled image embeddings [B,D] (not L2-normalized). The RAE latent is
    /// layer_norm-without-affine of the tower's last hidden state (golden siglip2_vision "scale_rae_feature"); applying
    /// <c>post_layernorm</c> to it again is exact up to eps, because LN is idempotent up to eps (the re-normalized
    /// input already has mean 0 and variance var/(var+eps)), and its affine is what turns the RAE latent back into HF's
    /// <c>last_hidden_state</c>.
    /// </summary>
    public Tensor ImageEmbeds(Tensor latents)
    {
        var width = vision_model.post_layernorm.weight!.shape[0];
        if (latents.dim() != 4 || latents.shape[1] != width)
            throw new ArgumentException($"latents: expected [B, {width}, h, w] (the vision tower's hidden_size), got [{string.Join(",", latents.shape)}]", nameof(latents));
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var weight = logit_scale;
        var z = _stats.Denormalize(latents.to(weight.dtype, weight.device));
        var (b, c, h, w) = (z.shape[0], z.shape[1], z.shape[2], z.shape[3]);
        var tokens = z.reshape(b, c, h * w).transpose(1, 2);
        return vision_model.head.forward(vision_model.post_layernorm.forward(tokens)).MoveToOuterDisposeScope();
    }

    /// <summary>Token ids [T, L] → pooled text embeddings [T,D] (not L2-normalized).</summary>
    public Tensor TextEmbeds(Tensor inputIds)
    {
        using var _ = inference_mode();
        return text_model.forward(inputIds.to(ScalarType.Int64, logit_scale.device));
    }

    /// <summary>SigLIP's <c>logits_per_image</c> [B, T] of every latent against every token-id row: the scores of all pairs.</summary>
    public Tensor ScorePairs(Tensor latents, Tensor inputIds)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var ie = SiglipModel.L2Normalize(ImageEmbeds(latents));
        var te = SiglipModel.L2Normalize(TextEmbeds(inputIds));
        var logits = matmul(ie, te.t()) * logit_scale.exp() + logit_bias;
        return logits.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>The text a condition is scored against (see <see cref="ClassPromptTemplate"/>).</summary>
    public string TextOf(LatentCondition condition)
    {
        if (condition.Label < 0)
            return condition.Text ?? throw new ArgumentException($"conditions: label -1 with no text: verifier '{Name}' has nothing to score against");
        var className = condition.Text
            ?? (_classNames is { } names && condition.Label < names.Length ? names[condition.Label]
                : throw new ArgumentException($"conditions: label {condition.Label} has no text and the bundle has no misc.class_names entry for it"));
        return string.Format(CultureInfo.InvariantCulture, ClassPromptTemplate, className);
    }

    /// <inheritdoc/>
    public Tensor Score(Tensor latents, IReadOnlyList<LatentCondition> conditions)
    {
        if (latents.dim() != 4 || latents.shape[0] != conditions.Count)
            throw new ArgumentException($"latents: expected [{conditions.Count}, C, h, w] for {conditions.Count} conditions, got [{string.Join(",", latents.shape)}]", nameof(latents));
        var tokenizer = _tokenizer ?? throw new InvalidOperationException($"verifier '{Name}' was loaded without a tokenizer: score token ids with ScorePairs");
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var texts = conditions.Select(TextOf).ToList();
        Tensor[] rows;
        lock (_textEmbeds)
        {
            var missing = texts.Distinct().Where(t => !_textEmbeds.ContainsKey(t)).ToList();
            if (_textEmbeds.Count + missing.Count > MaxCachedTexts)
            {
                foreach (var t in _textEmbeds.Values) t.Dispose();
                _textEmbeds.Clear();
                missing = texts.Distinct().ToList();
            }
            if (missing.Count > 0)
            {
                var ids = tensor(missing.SelectMany(tokenizer.Encode).ToArray()).reshape(missing.Count, tokenizer.Config.MaxPositionEmbeddings);
                var embeds = SiglipModel.L2Normalize(TextEmbeds(ids));
                for (int i = 0; i < missing.Count; i++) _textEmbeds[missing[i]] = embeds[i].clone().DetachFromDisposeScope();
            }
            rows = texts.Select(t => _textEmbeds[t]).ToArray();
        }
        var te = stack(rows, 0);
        var ie = SiglipModel.L2Normalize(ImageEmbeds(latents));
        // Row by row (not a [B,B] matrix): each latent against its own condition's text.
        var scores = (ie * te).sum(-1) * logit_scale.exp() + logit_bias;
        return scores.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) lock (_textEmbeds) { foreach (var t in _textEmbeds.Values) t.Dispose(); _textEmbeds.Clear(); }
        base.Dispose(disposing);
    }
}
