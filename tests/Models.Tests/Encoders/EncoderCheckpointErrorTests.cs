using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Encoders.Dinov2;
using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Encoders.Siglip;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Encoders;

/// <summary>Strict loading of encoder checkpoints: every bad key is named, the real checkpoint prefixes are accepted.</summary>
public class EncoderCheckpointErrorTests
{
    static readonly Dinov2WithRegistersConfig Dino = new(HiddenSize: 32, NumHiddenLayers: 1, NumAttentionHeads: 2, ImageSize: 56, PatchSize: 14, NumRegisterTokens: 2);
    static readonly SiglipVisionConfig Vision = new(HiddenSize: 32, IntermediateSize: 64, NumHiddenLayers: 1, NumAttentionHeads: 2, ImageSize: 56, PatchSize: 14);
    static readonly SiglipTextConfig Text = new(VocabSize: 50, HiddenSize: 32, IntermediateSize: 64, NumHiddenLayers: 1, NumAttentionHeads: 2, MaxPositionEmbeddings: 8, ProjectionSize: 32);
    static readonly ViTMAEConfig Mae = new(HiddenSize: 32, NumHiddenLayers: 1, NumAttentionHeads: 2, IntermediateSize: 64, ImageSize: 64, PatchSize: 16);

    static Dictionary<string, Tensor> StateOf(nn.Module m, string prefix = "") =>
        m.state_dict().ToDictionary(kv => prefix + kv.Key, kv => kv.Value.detach().clone());

    public static IEnumerable<object[]> Encoders() =>
    [
        ["dinov2", "encoder.layer.0.mlp.fc1.weight", "embeddings.register_tokens"],
        ["siglip_vision", "vision_model.encoder.layers.0.self_attn.k_proj.weight", "vision_model.head.probe"],
        ["siglip_text", "text_model.head.weight", "text_model.embeddings.position_embedding.weight"],
        ["mae", "vit.encoder.layer.0.intermediate.dense.weight", "vit.embeddings.position_embeddings"],
    ];

    /// <summary>A checkpoint in the real format of each encoder, and its loader.</summary>
    static (Dictionary<string, Tensor> State, Action<Dictionary<string, Tensor>> Load) Setup(string encoder) => encoder switch
    {
        "dinov2" => (StateOf(new Dinov2WithRegistersModel(Dino)), d => Dinov2WithRegistersModel.Load(Dino, d)),
        "siglip_vision" => (StateOf(new SiglipVisionTransformer(Vision), "vision_model."), d => SiglipVisionTransformer.Load(Vision, d)),
        "siglip_text" => (StateOf(new SiglipTextTransformer(Text), "text_model."), d => SiglipTextTransformer.Load(Text, d)),
        "mae" => (StateOf(new ViTMAEModel(Mae), "vit."), d => ViTMAEModel.Load(Mae, d)),
        _ => throw new ArgumentException(encoder),
    };

    /// <summary>The key as the module names it: the checkpoint's sub-model prefix removed.</summary>
    static string Bare(string key) =>
        new[] { "vit.", "vision_model.", "text_model." }.FirstOrDefault(key.StartsWith) is { } p ? key[p.Length..] : key;

    [Theory]
    [MemberData(nameof(Encoders))]
    public void A_mis_shaped_key_raises_an_error_naming_the_key(string encoder, string key, string _)
    {
        using var scope = NewDisposeScope();
        var (state, load) = Setup(encoder);
        var shape = state[key].shape.ToArray();
        shape[0] += 1;
        state[key] = zeros(shape);
        var e = Assert.Throws<StateDictMismatchException>(() => load(state));
        var bare = Bare(key);
        Assert.Single(e.MisShaped);
        Assert.StartsWith(bare + ":", e.MisShaped[0]);
        Assert.Contains(bare, e.Message);
    }

    [Theory]
    [MemberData(nameof(Encoders))]
    public void A_missing_key_raises_an_error_naming_the_key(string encoder, string _, string key)
    {
        using var scope = NewDisposeScope();
        var (state, load) = Setup(encoder);
        state.Remove(key);
        var e = Assert.Throws<StateDictMismatchException>(() => load(state));
        var bare = Bare(key);
        Assert.Equal([bare], e.Missing);
        Assert.Contains(bare, e.Message);
    }

    [Fact]
    public void The_dinov2_mask_token_is_required_although_encode_never_uses_it()
    {
        using var scope = NewDisposeScope();
        var state = StateOf(new Dinov2WithRegistersModel(Dino));
        state.Remove("embeddings.mask_token");
        var e = Assert.Throws<StateDictMismatchException>(() => Dinov2WithRegistersModel.Load(Dino, state));
        Assert.Equal(["embeddings.mask_token"], e.Missing);
    }

    [Fact]
    public void A_mae_pretraining_checkpoint_loads_its_vit_keys_and_ignores_the_decoder()
    {
        using var scope = NewDisposeScope();
        var source = new ViTMAEModel(Mae);
        var state = StateOf(source, "vit.");
        state["decoder.decoder_embed.weight"] = zeros(16, 32);
        state["decoder.decoder_pred.bias"] = zeros(768);
        var loaded = ViTMAEModel.Load(Mae, state);
        foreach (var (k, v) in loaded.state_dict())
            Assert.True(EncoderTestData.Identical(v, source.state_dict()[k]), k);

        state["vit.unknown.weight"] = zeros(1);
        var e = Assert.Throws<StateDictMismatchException>(() => ViTMAEModel.Load(Mae, state));
        Assert.Equal(["unknown.weight"], e.Unexpected);
    }

    [Fact]
    public void A_bare_key_outside_the_known_checkpoint_layout_is_reported_as_unexpected()
    {
        using var scope = NewDisposeScope();
        var state = StateOf(new SiglipVisionTransformer(Vision), "vision_model.");
        state["text_model.final_layer_norm.weight"] = zeros(32); // the other tower: ignored
        state["logit_scale"] = zeros(1);                          // the logit parameters: ignored
        state["stray.weight"] = zeros(1);
        var e = Assert.Throws<StateDictMismatchException>(() => SiglipVisionTransformer.Load(Vision, state));
        Assert.Equal(["stray.weight"], e.Unexpected);
    }
}
