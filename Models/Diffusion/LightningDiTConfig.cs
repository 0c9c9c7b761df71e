using System.Text.Json;

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

    /// <summary>Parses the YAML params (as JSON), then validates.</summary>
    public static LightningDiTConfig FromJson(JsonElement p)
    {
        ConfigJson.CheckKeys(p, "LightningDiT", Keys);
        var d = new LightningDiTConfig();
        return new LightningDiTConfig
        {
            InputSize = ConfigJson.Int(p, "input_size", d.InputSize),
            PatchSize = ConfigJson.Int(p, "patch_size", d.PatchSize),
            InChannels = ConfigJson.Int(p, "in_channels", d.InChannels),
            HiddenSize = ConfigJson.Int(p, "hidden_size", d.HiddenSize),
            Depth = ConfigJson.Int(p, "depth", d.Depth),
            NumHeads = ConfigJson.Int(p, "num_heads", d.NumHeads),
            MlpRatio = ConfigJson.Double(p, "mlp_ratio", d.MlpRatio),
            ClassDropoutProb = ConfigJson.Double(p, "class_dropout_prob", d.ClassDropoutProb),
            NumClasses = ConfigJson.Int(p, "num_classes", d.NumClasses),
            LearnSigma = ConfigJson.Bool(p, "learn_sigma", d.LearnSigma),
            UseQkNorm = ConfigJson.Bool(p, "use_qknorm", d.UseQkNorm),
            UseSwiglu = ConfigJson.Bool(p, "use_swiglu", d.UseSwiglu),
            UseRope = ConfigJson.Bool(p, "use_rope", d.UseRope),
            UseRmsnorm = ConfigJson.Bool(p, "use_rmsnorm", d.UseRmsnorm),
            WoShift = ConfigJson.Bool(p, "wo_shift", d.WoShift),
            UsePosEmbed = ConfigJson.Bool(p, "use_pos_embed", d.UsePosEmbed),
        }.Validated();
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this otherwise.</summary>
    public LightningDiTConfig Validated()
    {
        DiTConfigRules.CheckCommon(InputSize, PatchSize, InChannels, MlpRatio, ClassDropoutProb, NumClasses);
        if (Depth < 1) throw new ArgumentException($"depth must be at least 1, got {Depth}");
        DiTConfigRules.CheckWidth("", HiddenSize, NumHeads, UseRope);
        if (UsePosEmbed && HiddenSize % 4 != 0) throw new ArgumentException($"hidden_size ({HiddenSize}) must be divisible by 4 for the sin-cos pos_embed");
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
