using RAE.Grid.Models.Checkpoints;

namespace RAE.Grid.Models.Diffusion;

/// <summary>
/// Checks shared by the DiT configs; each violation is a <see cref="ConfigFieldException"/> naming the params'
/// source and the YAML field.
/// </summary>
internal static class DiTConfigRules
{
    /// <summary>Where DiT params come from when the caller does not say: the YAML block's <c>params</c>.</summary>
    public const string DefaultSource = "params";

    public static void CheckCommon(string source, int inputSize, int patchSize, int inChannels, double mlpRatio, double dropout, int numClasses)
    {
        if (inputSize < 1) throw new ConfigFieldException(source, "input_size", $"must be positive, got {inputSize}");
        if (patchSize < 1) throw new ConfigFieldException(source, "patch_size", $"must be positive, got {patchSize}");
        if (inputSize % patchSize != 0)
            throw new ConfigFieldException(source, "input_size", $"({inputSize}) must be divisible by patch_size ({patchSize})");
        if (inChannels < 1) throw new ConfigFieldException(source, "in_channels", $"must be positive, got {inChannels}");
        if (!(mlpRatio > 0)) throw new ConfigFieldException(source, "mlp_ratio", $"must be positive, got {mlpRatio}");
        if (!(dropout >= 0 && dropout < 1))
            throw new ConfigFieldException(source, "class_dropout_prob", $"must be in [0, 1), got {dropout}");
        if (numClasses < 1) throw new ConfigFieldException(source, "num_classes", $"must be positive, got {numClasses}");
    }

    public static void CheckDepth(string source, string field, int depth)
    {
        if (depth < 1) throw new ConfigFieldException(source, field, $"must be at least 1, got {depth}");
    }

    /// <summary>Width rules; <paramref name="suffix"/> is "" or the pair index ("[0]", "[1]").</summary>
    public static void CheckWidth(string source, string suffix, int hidden, int heads, bool useRope, bool usePosEmbed)
    {
        if (hidden < 1) throw new ConfigFieldException(source, $"hidden_size{suffix}", $"must be positive, got {hidden}");
        if (heads < 1) throw new ConfigFieldException(source, $"num_heads{suffix}", $"must be positive, got {heads}");
        if (hidden % heads != 0)
            throw new ConfigFieldException(source, $"hidden_size{suffix}", $"({hidden}) must be divisible by num_heads{suffix} ({heads})");
        // RoPE rotates pairs in each half of the head: head_dim/2 must be even.
        if (useRope && hidden / heads % 4 != 0)
            throw new ConfigFieldException(source, $"num_heads{suffix}",
                $"({heads}) makes heads hidden_size{suffix}/num_heads{suffix} = {hidden / heads} wide; use_rope needs a multiple of 4");
        if (usePosEmbed && hidden % 4 != 0)
            throw new ConfigFieldException(source, $"hidden_size{suffix}", $"({hidden}) must be divisible by 4 for the sin-cos pos_embed");
    }
}
