using System.Text.Json;

namespace RAE.Grid.Models.Diffusion;

/// <summary>
/// Parameters of the official <c>DiTwDDTHead</c> (YAML <c>stage_2.params</c>). Width, depth and heads are pairs
/// [backbone, head]. Property names follow the YAML keys.
/// </summary>
public sealed record DiTDHConfig
{
    public int InputSize { get; init; } = 16;
    public int PatchSize { get; init; } = 1;
    public int InChannels { get; init; } = 768;
    public int[] HiddenSize { get; init; } = [1152, 2048];
    public int[] Depth { get; init; } = [28, 2];
    public int[] NumHeads { get; init; } = [16, 16];
    public double MlpRatio { get; init; } = 4.0;
    public double ClassDropoutProb { get; init; } = 0.1;
    public int NumClasses { get; init; } = 1000;
    public bool UseQkNorm { get; init; }
    public bool UseSwiglu { get; init; } = true;
    public bool UseRope { get; init; } = true;
    public bool UseRmsnorm { get; init; } = true;
    public bool WoShift { get; init; }
    public bool UsePosEmbed { get; init; } = true;

    /// <summary>Backbone (encoder) width.</summary>
    public int EncoderHiddenSize => HiddenSize[0];
    /// <summary>Head (decoder) width.</summary>
    public int DecoderHiddenSize => HiddenSize[1];

    private static readonly string[] Keys =
    [
        "input_size", "patch_size", "in_channels", "hidden_size", "depth", "num_heads", "mlp_ratio",
        "class_dropout_prob", "num_classes", "use_qknorm", "use_swiglu", "use_rope", "use_rmsnorm", "wo_shift",
        "use_pos_embed",
    ];

    /// <summary>Parses the YAML params (as JSON), then validates.</summary>
    public static DiTDHConfig FromJson(JsonElement p)
    {
        ConfigJson.CheckKeys(p, "DiTwDDTHead", Keys);
        var d = new DiTDHConfig();
        var patch = ConfigJson.Ints(p, "patch_size", 2, [d.PatchSize, d.PatchSize]);
        if (patch[0] != patch[1])
            throw new FormatException($"patch_size: different backbone/head patch sizes ({patch[0]}, {patch[1]}) are not supported");
        return new DiTDHConfig
        {
            InputSize = ConfigJson.Int(p, "input_size", d.InputSize),
            PatchSize = patch[0],
            InChannels = ConfigJson.Int(p, "in_channels", d.InChannels),
            HiddenSize = ConfigJson.Ints(p, "hidden_size", 2, d.HiddenSize),
            Depth = ConfigJson.Ints(p, "depth", 2, d.Depth),
            NumHeads = ConfigJson.Ints(p, "num_heads", 2, d.NumHeads),
            MlpRatio = ConfigJson.Double(p, "mlp_ratio", d.MlpRatio),
            ClassDropoutProb = ConfigJson.Double(p, "class_dropout_prob", d.ClassDropoutProb),
            NumClasses = ConfigJson.Int(p, "num_classes", d.NumClasses),
            UseQkNorm = ConfigJson.Bool(p, "use_qknorm", d.UseQkNorm),
            UseSwiglu = ConfigJson.Bool(p, "use_swiglu", d.UseSwiglu),
            UseRope = ConfigJson.Bool(p, "use_rope", d.UseRope),
            UseRmsnorm = ConfigJson.Bool(p, "use_rmsnorm", d.UseRmsnorm),
            WoShift = ConfigJson.Bool(p, "wo_shift", d.WoShift),
            UsePosEmbed = ConfigJson.Bool(p, "use_pos_embed", d.UsePosEmbed),
        }.Validated();
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this otherwise.</summary>
    public DiTDHConfig Validated()
    {
        if (HiddenSize is not { Length: 2 }) throw new ArgumentException("hidden_size must be [backbone, head]");
        if (Depth is not { Length: 2 }) throw new ArgumentException("depth must be [backbone, head]");
        if (NumHeads is not { Length: 2 }) throw new ArgumentException("num_heads must be [backbone, head]");
        DiTConfigRules.CheckCommon(InputSize, PatchSize, InChannels, MlpRatio, ClassDropoutProb, NumClasses);
        for (var i = 0; i < 2; i++)
        {
            if (Depth[i] < 1) throw new ArgumentException($"depth[{i}] must be at least 1, got {Depth[i]}");
            DiTConfigRules.CheckWidth($"[{i}]", HiddenSize[i], NumHeads[i], UseRope);
        }
        if (UsePosEmbed && HiddenSize[0] % 4 != 0)
            throw new ArgumentException($"hidden_size[0] ({HiddenSize[0]}) must be divisible by 4 for the sin-cos pos_embed");
        return this;
    }

    /// <summary>DiTDH-XL of the paper: backbone 1152 wide, 28 deep, 16 heads; head 2048 × 2, 16 heads.</summary>
    public static DiTDHConfig XL(int inChannels = 768, int inputSize = 16) =>
        new DiTDHConfig { InChannels = inChannels, InputSize = inputSize, HiddenSize = [1152, 2048], Depth = [28, 2], NumHeads = [16, 16] }.Validated();

    /// <summary>DiTDH-S (the AutoGuidance weak model): backbone 384/12/6, same 2048 × 2 head.</summary>
    public static DiTDHConfig S(int inChannels = 768, int inputSize = 16) =>
        new DiTDHConfig { InChannels = inChannels, InputSize = inputSize, HiddenSize = [384, 2048], Depth = [12, 2], NumHeads = [6, 16] }.Validated();

    /// <summary>A preset by name: "DiTDH-S" or "DiTDH-XL".</summary>
    public static DiTDHConfig Preset(string name, int inChannels = 768, int inputSize = 16) => name switch
    {
        "DiTDH-S" => S(inChannels, inputSize),
        "DiTDH-XL" => XL(inChannels, inputSize),
        _ => throw new ArgumentException($"unknown DiT-DH preset '{name}' (known: DiTDH-S, DiTDH-XL)"),
    };
}
