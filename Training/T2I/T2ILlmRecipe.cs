namespace RAE.Grid.Training.T2I;

/// <summary>
/// <c>llm</c> of a T2I recipe: the sizes of the tiny Qwen2 trained from scratch (the other HF fields are Qwen2.5's:
/// RoPE θ 1e6, RMSNorm ε 1e-6, SiLU MLP, q/k/v biases).
/// </summary>
public sealed record T2ILlmRecipe
{
    /// <summary>Width.</summary>
    public int HiddenSize { get; init; } = 128;
    /// <summary>Decoder layers.</summary>
    public int NumHiddenLayers { get; init; } = 3;
    /// <summary>Query heads.</summary>
    public int NumAttentionHeads { get; init; } = 4;
    /// <summary>Key/value heads (GQA: a divisor of the query heads).</summary>
    public int NumKeyValueHeads { get; init; } = 2;
    /// <summary>SwiGLU MLP width.</summary>
    public int IntermediateSize { get; init; } = 352;
    /// <summary>lm_head shares embed_tokens (as Qwen2.5-1.5B).</summary>
    public bool TieWordEmbeddings { get; init; } = true;

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (HiddenSize < 8) throw new ArgumentException($"llm.hidden_size must be >= 8, got {HiddenSize}");
        if (NumHiddenLayers < 1) throw new ArgumentException($"llm.num_hidden_layers must be >= 1, got {NumHiddenLayers}");
        if (NumAttentionHeads < 1 || HiddenSize % NumAttentionHeads != 0 || HiddenSize / NumAttentionHeads % 2 != 0)
            throw new ArgumentException($"llm.num_attention_heads ({NumAttentionHeads}) must divide hidden_size ({HiddenSize}) into even head widths");
        if (NumKeyValueHeads < 1 || NumAttentionHeads % NumKeyValueHeads != 0)
            throw new ArgumentException($"llm.num_key_value_heads ({NumKeyValueHeads}) must divide num_attention_heads ({NumAttentionHeads})");
        if (IntermediateSize < 1) throw new ArgumentException($"llm.intermediate_size must be >= 1, got {IntermediateSize}");
    }
}
