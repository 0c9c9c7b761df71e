using TorchSharp.Modules;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Llm;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>Qwen2ForCausalLM</c>: <c>model</c> (<see cref="Qwen2Model"/>) and <c>lm_head</c> (no bias). With
/// <c>tie_word_embeddings</c> there is no <c>lm_head</c> module and no <c>lm_head.weight</c> key — the head is
/// <c>model.embed_tokens.weight</c>, as <c>save_pretrained</c> writes tied checkpoints (Qwen2.5-1.5B); an untied model
/// (Qwen2.5-7B) has its own <c>lm_head.weight</c>.
/// </summary>
public sealed class Qwen2ForCausalLM : Module<Tensor, Tensor>
{
    public readonly Qwen2Model model;
    public readonly Linear? lm_head;

    /// <summary>The configuration the model was built with.</summary>
    public Qwen2Config Config => model.Config;

    /// <summary>A model with placeholder weights; use <see cref="Load"/> for a checkpoint.</summary>
    public Qwen2ForCausalLM(Qwen2Config config) : base("Qwen2ForCausalLM")
    {
        model = new Qwen2Model(config);
        lm_head = config.TieWordEmbeddings ? null : Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
    }

    /// <summary>
    /// Builds the model and loads an HF state dict strictly: every missing, unexpected or mis-shaped key is reported
    /// by name (a tied config with an <c>lm_head.weight</c> in the file is one of them), then eval mode, no gradients.
    /// </summary>
    public static Qwen2ForCausalLM Load(Qwen2Config config, IReadOnlyDictionary<string, Tensor> stateDict,
        string sourceName = "Qwen2 checkpoint")
    {
        var m = new Qwen2ForCausalLM(config);
        StateDictLoader.LoadFrozen(m, stateDict, sourceName);
        return m;
    }

    /// <summary>
    /// Loads an HF model folder: <c>config.json</c> and either <c>model.safetensors</c> or the sharded
    /// <c>model.safetensors.index.json</c> with its shards, strictly.
    /// </summary>
    public static Qwen2ForCausalLM FromPretrained(string dir)
    {
        var config = Qwen2Config.FromFile(Path.Combine(dir, "config.json"));
        var index = Path.Combine(dir, ShardedSafeTensors.IndexFileName);
        var single = Path.Combine(dir, "model.safetensors");
        if (File.Exists(index)) return Load(config, ShardedSafeTensors.ReadAll(index), index);
        if (File.Exists(single)) return Load(config, SafeTensorsFile.ReadAll(single), single);
        throw new FileNotFoundException($"{dir}: neither {ShardedSafeTensors.IndexFileName} nor model.safetensors");
    }

    /// <summary>The output projection: <c>lm_head</c>, or the token embedding when tied.</summary>
    public Tensor Logits(Tensor hidden) =>
        lm_head is null ? functional.linear(hidden, model.embed_tokens.weight!) : lm_head.forward(hidden);

    /// <summary>
    /// Full forward (see <see cref="Qwen2Model.Forward"/>): logits [B, L, vocab] at every position, padded ones included.
    /// </summary>
    public Qwen2CausalLMOutput Forward(Tensor? inputIds = null, Tensor? inputsEmbeds = null, Tensor? attentionMask = null,
        Qwen2KVCache? cache = null, bool outputHiddenStates = false)
    {
        using var scope = NewDisposeScope();
        var o = model.Forward(inputIds, inputsEmbeds, attentionMask, cache, outputHiddenStates);
        var logits = Logits(o.LastHiddenState);
        return new Qwen2CausalLMOutput(logits.MoveToOuterDisposeScope(), new Qwen2ModelOutput(
            o.LastHiddenState.MoveToOuterDisposeScope(), o.HiddenStates?.MoveToOuterDisposeScope(),
            o.LastLayerPreNorm.MoveToOuterDisposeScope()));
    }

    /// <summary>A KV cache sized for this model.</summary>
    public Qwen2KVCache NewCache() => new(Config.NumHiddenLayers);

    /// <summary>
    /// Greedy decoding with a KV cache, as Scale-RAE's batch-1 <c>greedy_decode</c>: the prompt (ids [B, L] or embeddings
    /// [B, L, D], unpadded) is run once, then one token at a time, each the argmax of the last position's logits.
    /// Stops after <paramref name="maxNewTokens"/> or when every row has emitted <paramref name="eosTokenId"/>
    /// (rows that finished keep emitting it). Returns the new ids [B, n].
    /// </summary>
    public Tensor GreedyDecode(Tensor? inputIds, Tensor? inputsEmbeds, int maxNewTokens, int? eosTokenId = null)
    {
        using var scope = NewDisposeScope();
        using var cache = NewCache();
        var logits = Forward(inputIds, inputsEmbeds, cache: cache).Logits;
        var produced = new List<Tensor>();
        Tensor? done = null;
        for (var step = 0; step < maxNewTokens; step++)
        {
            var next = logits[TensorIndex.Colon, -1].argmax(-1);
            if (eosTokenId is { } eos)
            {
                if (done is not null) next = next.masked_fill(done, eos);
                done = done is null ? next.eq(eos) : done | next.eq(eos);
            }
            produced.Add(next);
            if ((done?.all().item<bool>() ?? false) || step == maxNewTokens - 1) break;
            logits = Forward(next.unsqueeze(1), cache: cache).Logits;
        }
        var ids = produced.Count == 0 ? empty([logits.shape[0], 0], ScalarType.Int64) : stack(produced, 1);
        return ids.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor inputIds) => Forward(inputIds).Logits;
}
