using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using RAE.Grid.Models.Runtime;

namespace RAE.Grid.Models.Bundles;

/// <summary>Raised when a bundle file is invalid; <see cref="Problems"/> lists every problem found, not just the first.</summary>
public sealed class BundleValidationException(string path, IReadOnlyList<string> problems)
    : Exception($"{path}: {problems.Count} problem(s):\n  - " + string.Join("\n  - ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

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
        if (!SamplerSection.Methods.Contains(Sampler.Params.SamplingMethod))
            p.Add($"sampler.params.sampling_method: '{Sampler.Params.SamplingMethod}' is not one of {string.Join(", ", SamplerSection.Methods)}");
        if (Sampler.Params.NumSteps < 2) p.Add("sampler.params.num_steps: must be at least 2");
        var g = Guidance;
        if (!GuidanceSection.Methods.Contains(g.Method))
            p.Add($"guidance.method: '{g.Method}' is not one of {string.Join(", ", GuidanceSection.Methods)}");
        if (g.Scale < 0) p.Add("guidance.scale: must be >= 0");
        if (g.TMin > g.TMax) p.Add($"guidance.t_min ({g.TMin}) is greater than guidance.t_max ({g.TMax})");
        if (g.Method == "autoguidance")
        {
            if (g.GuidanceModel is null) p.Add("guidance.guidance_model: required for autoguidance");
            else ValidateModel(g.GuidanceModel, "guidance.guidance_model", p, FileMustExist);
        }
        return p;
    }

    static void ValidateModel(ModelSection m, string where, List<string> p, Action<string?, string, bool> fileMustExist)
    {
        if (!ModelSection.Targets.Contains(m.Target))
            p.Add($"{where}.target: '{m.Target}' is not one of {string.Join(", ", ModelSection.Targets)}");
        if (m.Params is null || m.Params.Count == 0) p.Add($"{where}.params: missing");
        fileMustExist(m.Ckpt, $"{where}.ckpt", true);
    }
}

/// <summary>The official <c>stage_1</c> block: the RAE (frozen encoder + decoder + stats).</summary>
public sealed record Stage1Section
{
    public static readonly string[] EncoderClasses = ["Dinov2withNorm", "SigLIP2wNorm", "MAEwNorm"];
    [JsonPropertyName("target")] public string Target { get; init; } = "stage1.RAE";
    [JsonPropertyName("params")] public Stage1Params Params { get; init; } = new();
}

/// <summary><c>stage_1.params</c>, named as the official RAE constructor's arguments.</summary>
public sealed record Stage1Params
{
    [JsonPropertyName("encoder_cls")] public string EncoderCls { get; init; } = "Dinov2withNorm";
    /// <summary>HF config.json of the encoder.</summary>
    [JsonPropertyName("encoder_config_path")] public string EncoderConfigPath { get; init; } = "";
    /// <summary>Encoder weights (HF key names; safetensors or .pt).</summary>
    [JsonPropertyName("encoder_weights_path")] public string EncoderWeightsPath { get; init; } = "";
    [JsonPropertyName("encoder_input_size")] public int EncoderInputSize { get; init; } = 224;
    /// <summary>Size of the images the RAE takes and the decoder produces (256 or 512 in the papers).</summary>
    [JsonPropertyName("input_image_size")] public int InputImageSize { get; init; } = 256;
    /// <summary>The encoder processor's mean/std; null = the encoder family's default.</summary>
    [JsonPropertyName("pixel_mean")] public float[]? PixelMean { get; init; }
    [JsonPropertyName("pixel_std")] public float[]? PixelStd { get; init; }
    /// <summary>HF ViTMAEConfig-style decoder JSON.</summary>
    [JsonPropertyName("decoder_config_path")] public string DecoderConfigPath { get; init; } = "";
    [JsonPropertyName("decoder_patch_size")] public int DecoderPatchSize { get; init; } = 16;
    [JsonPropertyName("pretrained_decoder_path")] public string PretrainedDecoderPath { get; init; } = "";
    [JsonPropertyName("noise_tau")] public double NoiseTau { get; init; }
    [JsonPropertyName("reshape_to_2d")] public bool ReshapeTo2d { get; init; } = true;
    [JsonPropertyName("normalization_stat_path")] public string? NormalizationStatPath { get; init; }
}

/// <summary>A diffusion model block (<c>stage_2</c> or <c>guidance.guidance_model</c>): target class, params, checkpoint.</summary>
public sealed record ModelSection
{
    public static readonly string[] Targets = ["DiTwDDTHead", "LightningDiT"];
    [JsonPropertyName("target")] public string Target { get; init; } = "DiTwDDTHead";
    /// <summary>Constructor params exactly as in the official YAML (input_size, hidden_size, depth, ...).</summary>
    [JsonPropertyName("params")] public JsonObject? Params { get; init; }
    [JsonPropertyName("ckpt")] public string Ckpt { get; init; } = "";
}

/// <summary><c>transport.params</c>.</summary>
public sealed record TransportSection
{
    public static readonly string[] PathTypes = ["Linear"];
    public static readonly string[] Predictions = ["velocity"];
    public static readonly string[] TimeDists = ["uniform", "logit-normal_0_1"];
    [JsonPropertyName("params")] public TransportParams Params { get; init; } = new();
}

public sealed record TransportParams
{
    [JsonPropertyName("path_type")] public string PathType { get; init; } = "Linear";
    [JsonPropertyName("prediction")] public string Prediction { get; init; } = "velocity";
    [JsonPropertyName("loss_weight")] public string? LossWeight { get; init; }
    [JsonPropertyName("time_dist_type")] public string TimeDistType { get; init; } = "logit-normal_0_1";
}

/// <summary><c>sampler</c>: ODE, Euler (official) or Heun, on the shifted 50-point grid by default.</summary>
public sealed record SamplerSection
{
    public static readonly string[] Methods = ["euler", "heun"];
    [JsonPropertyName("mode")] public string Mode { get; init; } = "ODE";
    [JsonPropertyName("params")] public SamplerParams Params { get; init; } = new();
}

public sealed record SamplerParams
{
    [JsonPropertyName("sampling_method")] public string SamplingMethod { get; init; } = "euler";
    [JsonPropertyName("num_steps")] public int NumSteps { get; init; } = 50;
    [JsonPropertyName("atol")] public double Atol { get; init; } = 1e-6;
    [JsonPropertyName("rtol")] public double Rtol { get; init; } = 1e-3;
    [JsonPropertyName("reverse")] public bool Reverse { get; init; }
}

/// <summary><c>guidance</c>: none, CFG with a t-interval, or AutoGuidance with a weak model.</summary>
public sealed record GuidanceSection
{
    public static readonly string[] Methods = ["none", "cfg", "autoguidance"];
    [JsonPropertyName("method")] public string Method { get; init; } = "none";
    [JsonPropertyName("scale")] public double Scale { get; init; } = 1.0;
    [JsonPropertyName("t_min")] public double TMin { get; init; }
    [JsonPropertyName("t_max")] public double TMax { get; init; } = 1.0;
    [JsonPropertyName("guidance_model")] public ModelSection? GuidanceModel { get; init; }
}

/// <summary><c>misc</c>: latent size, classes and the shift's dimensions.</summary>
public sealed record MiscSection
{
    [JsonPropertyName("latent_size")] public int[]? LatentSize { get; init; }
    [JsonPropertyName("num_classes")] public int NumClasses { get; init; } = 1000;
    /// <summary>Human-readable class names (optional; used by the CLI).</summary>
    [JsonPropertyName("class_names")] public string[]? ClassNames { get; init; }
    /// <summary>m in s = sqrt(m/n); defaults to C·H·W of latent_size.</summary>
    [JsonPropertyName("time_dist_shift_dim")] public long? TimeDistShiftDim { get; init; }
    [JsonPropertyName("time_dist_shift_base")] public long TimeDistShiftBase { get; init; } = 4096;
}
