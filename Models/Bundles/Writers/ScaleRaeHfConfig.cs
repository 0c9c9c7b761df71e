using System.Text.Json.Nodes;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.T2I;

namespace RAE.Grid.Models.Bundles.Writers;

/// <summary>
/// The HF <c>config.json</c> of a <c>ScaleRAEQwenForCausalLM</c> as the released T2I models are configured (query-mode
/// diffusion loss, <c>mlp2x_gelu</c> projector, image start/end tokens): the Qwen2 fields plus the Scale-RAE ones,
/// with the diffusion fields read from the head's constructor arguments.
/// </summary>
public static class ScaleRaeHfConfig
{
    /// <summary>
    /// The config for a Qwen2 of the given sizes, a tokenizer of <paramref name="vocabSize"/> ids whose specials are
    /// <paramref name="specialIds"/>, and the LightningDiT head <paramref name="diffHead"/> (official arguments).
    /// </summary>
    public static JsonObject Create(int vocabSize, IReadOnlyDictionary<string, int> specialIds, int hidden, int intermediate,
        int layers, int heads, int kvHeads, bool tieWordEmbeddings, JsonObject diffHead)
    {
        int Field(string name) => diffHead[name]?.GetValue<int>() ?? throw new ArgumentException($"diff_head.{name} is missing");
        var latentChannels = Field("in_channels");
        var tokens = (Field("input_size") / Field("patch_size")) * (Field("input_size") / Field("patch_size"));
        return new JsonObject
        {
            ["architectures"] = new JsonArray("ScaleRAEQwenForCausalLM"), ["model_type"] = ScaleRaeUnderstanding.ModelType,
            ["vocab_size"] = vocabSize, ["hidden_size"] = hidden, ["intermediate_size"] = intermediate,
            ["num_hidden_layers"] = layers, ["num_attention_heads"] = heads, ["num_key_value_heads"] = kvHeads,
            ["hidden_act"] = "silu", ["max_position_embeddings"] = 32768, ["rms_norm_eps"] = 1e-6, ["rope_theta"] = 1000000.0,
            ["rope_scaling"] = null, ["tie_word_embeddings"] = tieWordEmbeddings, ["use_sliding_window"] = false, ["sliding_window"] = 32768,
            ["attention_dropout"] = 0.0, ["torch_dtype"] = "float32",
            ["bos_token_id"] = specialIds[Qwen2Tokenizer.EndOfText], ["eos_token_id"] = specialIds[Qwen2Tokenizer.ImEnd],
            ["pad_token_id"] = specialIds[Qwen2Tokenizer.EndOfText],
            ["vision_loss"] = "diffusion-loss", ["vision_loss_mode"] = "query", ["vision_tower_aux_token_len_list"] = new JsonArray(tokens),
            ["mm_projector_type"] = MmProjector.Type, ["mm_hidden_size"] = latentChannels, ["mm_use_im_start_end"] = true,
            ["mm_use_im_patch_token"] = false, ["tokenizer_padding_side"] = "right", ["tokenizer_model_max_length"] = 512,
            ["diffusion_model_channels"] = latentChannels, ["diffusion_model_z_channels"] = Field("z_channels"),
            ["diffusion_model_hidden_size"] = Field("hidden_size"), ["diffusion_model_depth"] = Field("depth"),
            ["diffusion_model_heads"] = Field("num_heads"),
            ["diffusion_class_dropout_prob"] = diffHead["class_dropout_prob"]?.GetValue<double>() ?? 0.1, ["dit_cls"] = "DiT",
        };
    }
}
