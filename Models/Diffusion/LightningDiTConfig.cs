using System.Text.Json;
using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Models.Diffusion;

/// <summary>Parameters of the official <c>LightningDiT</c> (YAML <c>stage_2.params</c>), named after the YAML keys.</summary>
public sealed record LightningDiTConfig
{
    public int InputSize { get; init; } = 16;
    public int PatchSize { get; init; } = 1;
    public int InChannels { get; init; } = 768;
    public int HiddenSize { get; init; } = 1152;
    public int Depth { get; init; } = 28;
    public int NumHeads { get; init; } = 16;
    public double MlpRatio { get; init; } = 4.0;
    public double ClassDropoutProb { get; init; } = 0.1;
    public int NumClasses { get; init; } = 1000;
    public bool LearnSigma { get; init; }
    public bool UseQkNorm { get; init; }
    public bool UseSwiglu { get; init; } = true;
    public bool UseRope { get; init; } = true;
    public bool UseRmsnorm { get; init; } = true;
    public bool WoShift { get; init; }
    /// <summary>Adds the fixed sin-cos <c>pos_embed</c> to the tokens (always on in the released code).</summary>
    public bool UsePosEmbed { get; init; } = true;

    private static readonly string[] Keys =
    [
        "input_size", "patch_size", "in_channels", "hidden_size", "depth", "num_heads", "mlp_ratio",
        "class_dropout_prob", "num_classes", "learn_sigma", "use_qknorm", "use_swiglu", "use_rope", "use_rmsnorm",
        "wo_shift", "use_pos_embed",
    ];

    /// <summary>
    /// Parses the YAML params (as JSON), then validates; errors are <see cref="ConfigFieldException"/>s naming
    /// <paramref name="source"/> (e.g. the bundle file and block) and the field.
    /// </summary>
    public static LightningDiTConfig FromJson(JsonElement p, string source = DiTConfigRules.DefaultSource)
    {
        var r = new ConfigReader(p, source);
        r.RejectUnknown(Keys, "LightningDiT");
        var d = new LightningDiTConfig();
        return new LightningDiTConfig
        {
            InputSize = r.Int("input_size", d.InputSize),
            PatchSize = r.Int("patch_size", d.PatchSize),
            InChannels = r.Int("in_channels", d.InChannels),
            HiddenSize = r.Int("hidden_size", d.HiddenSize),
            Depth = r.Int("depth", d.Depth),
            NumHeads = r.Int("num_heads", d.NumHeads),
            MlpRatio = r.Double("mlp_ratio", d.MlpRatio),
            ClassDropoutProb = r.Double("class_dropout_prob", d.ClassDropoutProb),
            NumClasses = r.Int("num_classes", d.NumClasses),
            LearnSigma = r.Bool("learn_sigma", d.LearnSigma),
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
    public LightningDiTConfig Validated(string source = DiTConfigRules.DefaultSource)
    {
        DiTConfigRules.CheckCommon(source, InputSize, PatchSize, InChannels, MlpRatio, ClassDropoutProb, NumClasses);
        DiTConfigRules.CheckDepth(source, "depth", Depth);
        DiTConfigRules.CheckWidth(source, "", HiddenSize, NumHeads, UseRope, UsePosEmbed);
        return this;
    }

    /// <summary>A standard DiT size: "S" 384/12/6, "B" 768/12/12, "L" 1024/24/16, "XL" 1152/28/16 (width/depth/heads).</summary>
    public static LightningDiTConfig Preset(string size, int inChannels = 768, int inputSize = 16)
    {
        var (w, d, h) = size.Replace("LightningDiT-", "") switch
        {
            "S" => (384, 12, 6),
            "B" => (768, 12, 12),
            "L" => (1024, 24, 16),
            "XL" => (1152, 28, 16),
            _ => throw new ArgumentException($"unknown LightningDiT preset '{size}' (known: S, B, L, XL)"),
        };
        return new LightningDiTConfig { InChannels = inChannels, InputSize = inputSize, HiddenSize = w, Depth = d, NumHeads = h }.Validated();
    }
}
