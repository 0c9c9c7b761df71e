namespace RAE.Grid.Models.Diffusion;

/// <summary>Checks shared by the DiT configs; messages name the YAML field.</summary>
internal static class DiTConfigRules
{
    public static void CheckCommon(int inputSize, int patchSize, int inChannels, double mlpRatio, double dropout, int numClasses)
    {
        if (inputSize < 1) throw new ArgumentException($"input_size must be positive, got {inputSize}");
        if (patchSize < 1) throw new ArgumentException($"patch_size must be positive, got {patchSize}");
        if (inputSize % patchSize != 0)
            throw new ArgumentException($"input_size ({inputSize}) must be divisible by patch_size ({patchSize})");
        if (inChannels < 1) throw new ArgumentException($"in_channels must be positive, got {inChannels}");
        if (!(mlpRatio > 0)) throw new ArgumentException($"mlp_ratio must be positive, got {mlpRatio}");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentException($"class_dropout_prob must be in [0, 1), got {dropout}");
        if (numClasses < 1) throw new ArgumentException($"num_classes must be positive, got {numClasses}");
    }

    public static void CheckWidth(string suffix, int hidden, int heads, bool useRope)
    {
        if (hidden < 1) throw new ArgumentException($"hidden_size{suffix} must be positive, got {hidden}");
        if (heads < 1) throw new ArgumentException($"num_heads{suffix} must be positive, got {heads}");
        if (hidden % heads != 0)
            throw new ArgumentException($"hidden_size{suffix} ({hidden}) must be divisible by num_heads{suffix} ({heads})");
        // RoPE rotates pairs in each half of the head: head_dim/2 must be even.
        if (useRope && hidden / heads % 4 != 0)
            throw new ArgumentException($"with use_rope, hidden_size{suffix}/num_heads{suffix} ({hidden / heads}) must be divisible by 4");
    }
}
