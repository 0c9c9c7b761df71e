using RAE.Grid.Models.Tests.Golden;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.Tests.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Llm;

/// <summary>Strict loading of Qwen2 checkpoints (single file and sharded) and config validation.</summary>
public class Qwen2LoadingTests
{
    private static (Qwen2Config Config, Dictionary<string, Tensor> Weights) Untied()
    {
        var c = GoldenCase.At("t2i/qwen2_lm");
        return (Qwen2Config.FromJson(c["hf_config"]), c.Read("weights.safetensors"));
    }

    [Fact]
    public void The_config_reads_the_hf_fields()
    {
        var c = GoldenCase.At("t2i/qwen2_lm");
        var hf = c["hf_config"];
        var config = Qwen2Config.FromJson(hf);
        int Int(string field) => hf.GetProperty(field).GetInt32();
        double Double(string field) => hf.GetProperty(field).GetDouble();
        // Each HF field, read here straight from the case's JSON, lands in its own member.
        Assert.Equal(new Qwen2Config(Int("vocab_size"), Int("hidden_size"), Int("intermediate_size"), Int("num_hidden_layers"),
            Int("num_attention_heads"), Int("num_key_value_heads"), hf.GetProperty("hidden_act").GetString()!,
            Int("max_position_embeddings"), Double("rms_norm_eps"), Double("rope_theta"), hf.GetProperty("tie_word_embeddings").GetBoolean(),
            Int("bos_token_id"), Int("eos_token_id"), Int("pad_token_id")), config);
        Assert.Equal(Int("hidden_size") / Int("num_attention_heads"), config.HeadDim);
        Assert.True(Qwen2Config.FromJson(c["hf_config_tied"]).TieWordEmbeddings);
    }

    [Theory]
    [InlineData("""{"num_attention_heads": 4, "num_key_value_heads": 3, "hidden_size": 64}""", "num_key_value_heads")]
    [InlineData("""{"rope_scaling": {"type": "yarn"}}""", "rope_scaling")]
    [InlineData("""{"model_type": "llama"}""", "model_type")]
    [InlineData("""{"use_sliding_window": true}""", "use_sliding_window")]
    public void A_config_the_port_cannot_honour_is_rejected_naming_the_field(string json, string field)
    {
        var e = Assert.Throws<ConfigFieldException>(() => Qwen2Config.FromJson(ConfigReader.Parse(json, "test")));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Missing_unexpected_and_mis_shaped_keys_are_all_named()
    {
        using var scope = NewDisposeScope();
        var (config, w) = Untied();
        w.Remove("model.layers.1.mlp.up_proj.weight");
        w["model.layers.0.self_attn.k_proj.bias"] = zeros(w["model.layers.0.self_attn.k_proj.bias"].shape[0] + 1);
        w["model.extra"] = zeros(1);
        var e = Assert.Throws<StateDictMismatchException>(() => Qwen2ForCausalLM.Load(config, w));
        Assert.Equal(["model.layers.1.mlp.up_proj.weight"], e.Missing);
        Assert.Equal(["model.extra"], e.Unexpected);
        Assert.Single(e.MisShaped, m => m.StartsWith("model.layers.0.self_attn.k_proj.bias", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tied_model_has_no_lm_head_key_and_an_untied_one_requires_it()
    {
        using var scope = NewDisposeScope();
        var (config, w) = Untied();
        var tied = config with { TieWordEmbeddings = true };
        var e = Assert.Throws<StateDictMismatchException>(() => Qwen2ForCausalLM.Load(tied, w));
        Assert.Equal(["lm_head.weight"], e.Unexpected);
        w.Remove("lm_head.weight");
        var missing = Assert.Throws<StateDictMismatchException>(() => Qwen2ForCausalLM.Load(config, w));
        Assert.Equal(["lm_head.weight"], missing.Missing);
        Assert.DoesNotContain("lm_head.weight", Qwen2ForCausalLM.Load(tied, w).state_dict().Keys);
    }

    [Fact]
    public void A_sharded_folder_loads_like_the_single_file_and_a_wrong_index_is_named()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var c = GoldenCase.At("t2i/qwen2_lm");
        var (config, w) = Untied();
        var dir = Directory.CreateTempSubdirectory("qwen2-sharded").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), c["hf_config"].GetRawText());
            var keys = w.Keys.Order(StringComparer.Ordinal).ToList();
            var first = keys.Take(keys.Count / 2).ToDictionary(k => k, k => w[k]);
            var second = keys.Skip(keys.Count / 2).ToDictionary(k => k, k => w[k]);
            SafeTensorsWriter.Write(Path.Combine(dir, "model-00001-of-00002.safetensors"), first);
            SafeTensorsWriter.Write(Path.Combine(dir, "model-00002-of-00002.safetensors"), second);
            string Index(IEnumerable<string> ks, string lastShard) => System.Text.Json.JsonSerializer.Serialize(new
            {
                metadata = new { total_size = 0 },
                weight_map = ks.ToDictionary(k => k, k => first.ContainsKey(k) ? "model-00001-of-00002.safetensors" : lastShard),
            });
            var indexPath = Path.Combine(dir, ShardedSafeTensors.IndexFileName);
            File.WriteAllText(indexPath, Index(keys, "model-00002-of-00002.safetensors"));

            var sharded = Qwen2ForCausalLM.FromPretrained(dir);
            var single = Qwen2ForCausalLM.Load(config, w);
            var ids = c.Read("io.safetensors")["in.input_ids"];
            Assert.True(TensorAssert.BitEqual(sharded.Forward(ids).Logits, single.Forward(ids).Logits));

            File.WriteAllText(indexPath, Index(keys.Where(k => k != "model.norm.weight"), "model-00002-of-00002.safetensors"));
            var extra = Assert.Throws<InvalidDataException>(() => Qwen2ForCausalLM.FromPretrained(dir));
            Assert.Contains("model.norm.weight", extra.Message);

            File.WriteAllText(indexPath, Index(keys, "../elsewhere.safetensors"));
            Assert.Throws<InvalidDataException>(() => Qwen2ForCausalLM.FromPretrained(dir));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
