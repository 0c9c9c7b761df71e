using System.Text.Json;
using RAE.Grid.Models.Checkpoints;

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

    /// <summary>
    /// Parses the YAML params (as JSON), then validates; errors are <see cref="ConfigFieldException"/>s naming
    /// <paramref name="source"/> (e.g. the bundle file and block) and the field.
    /// </summary>
    public static DiTDHConfig FromJson(JsonElement p, string source = DiTConfigRules.DefaultSource)
    {
        var r = new ConfigReader(p, source);
        r.RejectUnknown(Keys, "DiTwDDTHead");
        var d = new DiTDHConfig();
        var patch = r.Ints("patch_size", 2, [d.PatchSize, d.PatchSize]);
        if (patch[0] != patch[1])
            throw r.Bad("patch_size", $"gives different backbone/head patch sizes ({patch[0]}, {patch[1]}), which are not supported");
        return new DiTDHConfig
        {
            InputSize = r.Int("input_size", d.InputSize),
            PatchSize = patch[0],
            InChannels = r.Int("in_channels", d.InChannels),
            HiddenSize = r.Ints("hidden_size", 2, d.HiddenSize),
            Depth = r.Ints("depth", 2, d.Depth),
            NumHeads = r.Ints("num_heads", 2, d.NumHeads),
            MlpRatio = r.Double("mlp_ratio", d.MlpRatio),
            ClassDropoutProb = r.Double("class_dropout_prob", d.ClassDropoutProb),
            NumClasses = r.Int("num_classes", d.NumClasses),
            UseQkNorm = r.Bool("use_qknorm", d.UseQkNorm),
            UseSwiglu = r.Bool("use_swiglu", d.UseSwiglu),
            UseRope = r.Bool("use_rope", d.UseRope),
            UseRmsnorm = r.Bool("use_rmsnorm", d.UseRmsnorm),
            WoShift = r.Bool("wo_shift", d.WoShift),
            UsePosEmbed = r.Bool("use_pos_embed", d.UsePosEmbed),
        }.Validated(source);
    }

    /// <summary>
    /// Throws a <see cref="ConfigFieldException"/> naming <paramref name="source"/> and the first invalid field;
    /// returns this otherwise.
    /// </summary>
    public DiTDHConfig Validated(string source = DiTConfigRules.DefaultSource)
    {
        foreach (var (field, pair) in new[] { ("hidden_size", HiddenSize), ("depth", Depth), ("num_heads", NumHeads) })
            if (pair is not { Length: 2 }) throw new ConfigFieldException(source, field, "must be [backbone, head]");
        DiTConfigRules.CheckCommon(source, InputSize, PatchSize, InChannels, MlpRatio, ClassDropoutProb, NumClasses);
        for (var i = 0; i < 2; i++)
        {
            DiTConfigRules.CheckDepth(source, $"depth[{i}]", Depth[i]);
            // Only the backbone carries the sin-cos pos_embed.
            DiTConfigRules.CheckWidth(source, $"[{i}]", HiddenSize[i], NumHeads[i], UseRope, UsePosEmbed && i == 0);
        }
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
