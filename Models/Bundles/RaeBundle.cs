using System.Text.Json;
using System.Text.Json.Serialization;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Runtime;

namespace RAE.Grid.Models.Bundles;

/// <summary>
/// One JSON file describing a complete RAE: encoder + weights, latent stats, decoder config + weights, DiT config +
/// weights, guidance model and sampler defaults. Its sections mirror the official OmegaConf YAML
/// (<c>stage_1</c>, <c>stage_2</c>, <c>transport</c>, <c>sampler</c>, <c>guidance</c>, <c>misc</c>). Relative paths
/// are resolved against the bundle file's folder. Weights may be safetensors or the authors' torch .pt files.
/// </summary>
public sealed record RaeBundle
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("description")] public string Description { get; init; } = "";
    /// <summary>True when the weights are randomly initialised: every output of such a bundle says so.</summary>
    [JsonPropertyName("random_weights")] public bool RandomWeights { get; init; }
    [JsonPropertyName("compute")] public ComputeOptions Compute { get; init; } = new();
    [JsonPropertyName("stage_1")] public Stage1Section Stage1 { get; init; } = new();
    [JsonPropertyName("stage_2")] public ModelSection? Stage2 { get; init; }
    [JsonPropertyName("transport")] public TransportSection Transport { get; init; } = new();
    [JsonPropertyName("sampler")] public SamplerSection Sampler { get; init; } = new();
    [JsonPropertyName("guidance")] public GuidanceSection Guidance { get; init; } = new();
    [JsonPropertyName("misc")] public MiscSection Misc { get; init; } = new();
    /// <summary>Latent verifiers for best-of-N (the first is the default); empty when the bundle has none.</summary>
    [JsonPropertyName("verifiers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public VerifierSection[]? Verifiers { get; init; }
    /// <summary>The Scale-RAE text-to-image model, or null for a bundle without one.</summary>
    [JsonPropertyName("t2i"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public T2ISection? T2I { get; init; }

    /// <summary>The folder relative paths are resolved against (set by <see cref="Load"/>).</summary>
    [JsonIgnore] public string BaseDir { get; init; } = ".";

    /// <summary>Absolute path of a bundle-relative path.</summary>
    public string Resolve(string relative) => Path.GetFullPath(Path.Combine(BaseDir, relative));

    static readonly JsonSerializerOptions Json = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, WriteIndented = true,
        PropertyNameCaseInsensitive = false,
    };

    /// <summary>Reads and validates a bundle; throws <see cref="BundleValidationException"/> listing every problem.</summary>
    public static RaeBundle Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"bundle file not found: {path}", path);
        RaeBundle? b;
        try { b = JsonSerializer.Deserialize<RaeBundle>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new BundleValidationException(path, [$"not a valid bundle JSON: {e.Message}"]); }
        if (b is null) throw new BundleValidationException(path, ["empty bundle file"]);
        b = b with { BaseDir = Path.GetDirectoryName(Path.GetFullPath(path))! };
        var problems = b.Validate();
        if (problems.Count > 0) throw new BundleValidationException(path, problems);
        return b;
    }

    /// <summary>Writes the bundle as JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Every problem with this bundle (empty when valid), each naming its field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        p.AddRange(Compute.Validate("compute"));
        void FileMustExist(string? rel, string field, bool required = true)
        {
            if (string.IsNullOrWhiteSpace(rel)) { if (required) p.Add($"{field}: missing"); return; }
            if (!File.Exists(Resolve(rel))) p.Add($"{field}: file not found: {Resolve(rel)}");
        }
        var s1 = Stage1;
        if (!Stage1Section.EncoderClasses.Contains(s1.Params.EncoderCls))
            p.Add($"stage_1.params.encoder_cls: '{s1.Params.EncoderCls}' is not one of {string.Join(", ", Stage1Section.EncoderClasses)}");
        FileMustExist(s1.Params.EncoderConfigPath, "stage_1.params.encoder_config_path");
        FileMustExist(s1.Params.EncoderWeightsPath, "stage_1.params.encoder_weights_path");
        FileMustExist(s1.Params.DecoderConfigPath, "stage_1.params.decoder_config_path");
        FileMustExist(s1.Params.PretrainedDecoderPath, "stage_1.params.pretrained_decoder_path");
        FileMustExist(s1.Params.NormalizationStatPath, "stage_1.params.normalization_stat_path", required: false);
        if (s1.Params.EncoderInputSize <= 0) p.Add("stage_1.params.encoder_input_size: must be positive");
        if (s1.Params.InputImageSize <= 0) p.Add("stage_1.params.input_image_size: must be positive");
        if (s1.Params.DecoderPatchSize <= 0) p.Add("stage_1.params.decoder_patch_size: must be positive");
        if (s1.Params.NoiseTau < 0) p.Add("stage_1.params.noise_tau: must be >= 0");
        if (s1.Params.PixelMean is { Length: not 3 }) p.Add("stage_1.params.pixel_mean: needs 3 values");
        if (s1.Params.PixelStd is { Length: not 3 } || (s1.Params.PixelStd?.Any(v => v <= 0) ?? false))
            p.Add("stage_1.params.pixel_std: needs 3 positive values");

        if (Stage2 is { } s2)
        {
            ValidateModel(s2, "stage_2", p, FileMustExist);
            if (Misc.LatentSize is not { Length: 3 } || Misc.LatentSize.Any(v => v <= 0))
                p.Add("misc.latent_size: needs [C, H, W] with positive values");
            if (Misc.NumClasses <= 0) p.Add("misc.num_classes: must be positive");
            if (Misc.ClassNames is { } names && names.Length != Misc.NumClasses)
                p.Add($"misc.class_names: {names.Length} names for {Misc.NumClasses} classes");
            if (Misc.TimeDistShiftBase <= 0) p.Add("misc.time_dist_shift_base: must be positive");
            if (Misc.TimeDistShiftDim is <= 0) p.Add("misc.time_dist_shift_dim: must be positive");
        }
        if (!TransportSection.PathTypes.Contains(Transport.Params.PathType))
            p.Add($"transport.params.path_type: '{Transport.Params.PathType}' is not supported (Linear)");
        if (!TransportSection.Predictions.Contains(Transport.Params.Prediction))
            p.Add($"transport.params.prediction: '{Transport.Params.Prediction}' is not supported (velocity)");
        if (!TransportSection.TimeDists.Contains(Transport.Params.TimeDistType))
            p.Add($"transport.params.time_dist_type: '{Transport.Params.TimeDistType}' is not one of {string.Join(", ", TransportSection.TimeDists)}");
        if (Sampler.Mode != "ODE") p.Add($"sampler.mode: '{Sampler.Mode}' is not supported (ODE)");
        if (Sampler.Params.NumSteps < SamplingSettings.MinSteps) p.Add($"sampler.params.num_steps: must be at least {SamplingSettings.MinSteps}");
        var g = Guidance;
        // The defaults obey the rules every request obeys; the weak model's presence is checked below, for any scale.
        var defaults = new SamplingSettings(null, Sampler.Params.SamplingMethod, g.Method, g.Scale, g.TMin, g.TMax);
        foreach (var (field, problem) in defaults.Check(hasWeakModel: true)) p.Add($"{DefaultsFields[field]}: {problem}");
        if (GuidanceOptions.TryParseMethod(g.Method, out var method) && method == GuidanceMethod.AutoGuidance)
        {
            if (g.GuidanceModel is null) p.Add("guidance.guidance_model: required for autoguidance");
            else ValidateModel(g.GuidanceModel, "guidance.guidance_model", p, FileMustExist);
        }
        var verifierNames = new HashSet<string>();
        for (int i = 0; i < (Verifiers?.Length ?? 0); i++)
        {
            var v = Verifiers![i];
            var where = $"verifiers[{i}]";
            if (string.IsNullOrEmpty(v.Name) || !v.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                p.Add($"{where}.name: '{v.Name}' must be letters, digits, '-' or '_'");
            else if (!verifierNames.Add(v.Name)) p.Add($"{where}.name: '{v.Name}' appears twice");
            if (!VerifierSection.Types.Contains(v.Type))
                p.Add($"{where}.type: '{v.Type}' is not one of {string.Join(", ", VerifierSection.Types)}");
            // The LLM verifiers read the t2i checkpoint; the others have weights of their own.
            var llmVerifier = VerifierSection.LlmTypes.Contains(v.Type);
            FileMustExist(v.Weights, $"{where}.weights", !llmVerifier);
            if (llmVerifier && T2I is null) p.Add($"{where}.type: '{v.Type}' reads the bundle's t2i LLM, but the bundle has no t2i section");
            if (v.SplicePrecision is { } sp && !VerifierSection.SplicePrecisions.Contains(sp))
                p.Add($"{where}.splice_precision: '{sp}' is not one of {string.Join(", ", VerifierSection.SplicePrecisions)}");
            if (v.MaxNewTokens is <= 0) p.Add($"{where}.max_new_tokens: must be positive");
            FileMustExist(v.Config, $"{where}.config", false);
            foreach (var (t, k) in (v.Tokenizer ?? []).Select((t, k) => (t, k))) FileMustExist(t, $"{where}.tokenizer[{k}]", true);
        }
        if (T2I is { } t2i) T2IValidation.Check(t2i, p, FileMustExist);
        return p;
    }

    /// <summary>The verifier section called <paramref name="name"/>, or the default (the first) when null.</summary>
    public VerifierSection Verifier(string? name)
    {
        if (Verifiers is not { Length: > 0 }) throw new ArgumentException($"verifier: bundle '{Name}' has no verifiers (add one with `rae-grid train-probe`)");
        if (name is null) return Verifiers[0];
        return Verifiers.FirstOrDefault(v => v.Name == name)
            ?? throw new ArgumentException($"verifier: '{name}' is not one of bundle '{Name}''s verifiers ({string.Join(", ", Verifiers.Select(v => v.Name))})");
    }

    // SamplingSettings.Check names request fields; in a bundle they are these.
    static readonly Dictionary<string, string> DefaultsFields = new()
    {
        ["steps"] = "sampler.params.num_steps", ["sampler"] = "sampler.params.sampling_method", ["guidance"] = "guidance.method",
        ["scale"] = "guidance.scale", ["t_min"] = "guidance.t_min", ["t_max"] = "guidance.t_max",
    };

    static void ValidateModel(ModelSection m, string where, List<string> p, Action<string?, string, bool> fileMustExist)
    {
        if (!ModelSection.Targets.Contains(m.Target))
            p.Add($"{where}.target: '{m.Target}' is not one of {string.Join(", ", ModelSection.Targets)}");
        if (m.Params is null || m.Params.Count == 0) p.Add($"{where}.params: missing");
        fileMustExist(m.Ckpt, $"{where}.ckpt", true);
    }
}
