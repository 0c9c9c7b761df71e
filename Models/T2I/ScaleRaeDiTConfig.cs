using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// Parameters of Scale-RAE's per-token-conditioned <c>LightningDiT</c> (the <c>diff_head.model</c> of
/// <c>FullSequenceRectifiedFlowProjector</c>), named after the official constructor arguments.
/// </summary>
public sealed record ScaleRaeDiTConfig
{
    public int InputSize { get; init; } = 16;
    public int PatchSize { get; init; } = 1;
    /// <summary>Latent channels C (1152 for SigLIP-2).</summary>
    public int InChannels { get; init; } = 1152;
    public int HiddenSize { get; init; } = 1152;
    public int Depth { get; init; } = 28;
    public int NumHeads { get; init; } = 16;
    public double MlpRatio { get; init; } = 4.0;
    /// <summary>Width of the per-token condition (<c>diffusion_model_z_channels</c>), also the t_embedder width.</summary>
    public int ZChannels { get; init; } = 2048;
    public double ClassDropoutProb { get; init; } = 0.1;
    /// <summary>
    /// Official <c>cond_silu</c>: c = SiLU(t_emb + cond) (true in every released model) instead of t_emb + cond.
    /// The adaLN layers apply their own SiLU on top either way.
    /// </summary>
    public bool CondSilu { get; init; } = true;

    private static readonly string[] Keys =
    [
        "input_size", "patch_size", "in_channels", "hidden_size", "depth", "num_heads", "mlp_ratio", "z_channels",
        "class_dropout_prob", "cond_silu", "learn_sigma", "use_qknorm", "use_swiglu", "use_rope", "use_rmsnorm",
        "wo_shift", "use_gembed", "use_DDT", "swiglu_hidden",
    ];

    /// <summary>
    /// Parses the official constructor arguments (as JSON). Only the released architecture is supported (SwiGLU, RoPE,
    /// RMSNorm, Gaussian-Fourier time embedding, no qk-norm, no learned sigma, no DDT): any other flag value is an error.
    /// </summary>
    public static ScaleRaeDiTConfig FromJson(JsonElement p, string source = "diff_head")
    {
        var r = new ConfigReader(p, source);
        r.RejectUnknown(Keys, "Scale-RAE LightningDiT");
        foreach (var (key, want) in new[] { ("learn_sigma", false), ("use_qknorm", false), ("use_swiglu", true),
                     ("use_rope", true), ("use_rmsnorm", true), ("wo_shift", false), ("use_gembed", true), ("use_DDT", false) })
            if (r.Bool(key, want) != want) throw r.Bad(key, $"must be {want.ToString().ToLowerInvariant()} (the released architecture)");
        var d = new ScaleRaeDiTConfig();
        var config = new ScaleRaeDiTConfig
        {
            InputSize = r.Int("input_size", d.InputSize),
            PatchSize = r.Int("patch_size", d.PatchSize),
            InChannels = r.Int("in_channels", d.InChannels),
            HiddenSize = r.Int("hidden_size", d.HiddenSize),
            Depth = r.Int("depth", d.Depth),
            NumHeads = r.Int("num_heads", d.NumHeads),
            MlpRatio = r.Double("mlp_ratio", d.MlpRatio),
            ZChannels = r.Int("z_channels", d.ZChannels),
            ClassDropoutProb = r.Double("class_dropout_prob", d.ClassDropoutProb),
            CondSilu = r.Bool("cond_silu", d.CondSilu),
        }.Validated(source);
        if (r.OptionalInt("swiglu_hidden") is { } h && h != SwiGLUFFN.HiddenFor(config.HiddenSize, config.MlpRatio))
            throw r.Bad("swiglu_hidden", $"is {h} but hidden_size and mlp_ratio give {SwiGLUFFN.HiddenFor(config.HiddenSize, config.MlpRatio)}");
        return config;
    }

    /// <summary>Throws a <see cref="ConfigFieldException"/> naming the first invalid field; returns this otherwise.</summary>
    public ScaleRaeDiTConfig Validated(string source = "diff_head")
    {
        DiTConfigRules.CheckCommon(source, InputSize, PatchSize, InChannels, MlpRatio, ClassDropoutProb, 1);
        DiTConfigRules.CheckDepth(source, "depth", Depth);
        DiTConfigRules.CheckWidth(source, "", HiddenSize, NumHeads, true, true);
        if (ZChannels <= 0) throw new ConfigFieldException(source, "z_channels", $"must be positive, got {ZChannels}");
        return this;
    }
}
