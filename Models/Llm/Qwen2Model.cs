using RAE.Grid.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Llm;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>Qwen2Model</c> (transformers 4.37, eager attention): <c>embed_tokens</c>, <c>layers.N</c>, <c>norm</c>.
/// Positions are <c>arange(past, past + L)</c> for every row, as HF uses when no <c>position_ids</c> are passed (right
/// for right padding, which Scale-RAE uses). The mask is HF's <c>_prepare_4d_causal_attention_mask</c>: causal plus
/// padded keys, masked entries the dtype's lowest value.
/// </summary>
public sealed class Qwen2Model : Module<Tensor, Tensor>
{
    public readonly Embedding embed_tokens;
    public readonly ModuleList<Qwen2DecoderLayer> layers;
    public readonly RMSNorm norm;

    /// <summary>The configuration the model was built with.</summary>
    public Qwen2Config Config { get; }

    public Qwen2Model(Qwen2Config config) : base("Qwen2Model")
    {
        Config = config;
        embed_tokens = Embedding(config.VocabSize, config.HiddenSize);
        layers = new ModuleList<Qwen2DecoderLayer>(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(_ => new Qwen2DecoderLayer(config)).ToArray());
        norm = new RMSNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents();
    }

    /// <summary>
    /// Runs the model on token ids [B, L] or, instead, <paramref name="inputsEmbeds"/> [B, L, D] (how Scale-RAE appends
    /// its query embeddings). <paramref name="attentionMask"/> is HF's 2-D 1/0 mask [B, past + L] (null = all ones).
    /// With <paramref name="cache"/> the new tokens follow the cached ones and their keys/values are appended.
    /// </summary>
    public Qwen2ModelOutput Forward(Tensor? inputIds = null, Tensor? inputsEmbeds = null, Tensor? attentionMask = null,
        Qwen2KVCache? cache = null, bool outputHiddenStates = false)
    {
        if ((inputIds is null) == (inputsEmbeds is null))
            throw new ArgumentException("pass exactly one of inputIds and inputsEmbeds");
        using var scope = NewDisposeScope();
        var h = inputsEmbeds ?? embed_tokens.forward(inputIds!);
        var (b, l) = (h.shape[0], h.shape[1]);
        var past = cache?.Length ?? 0;
        var positions = arange(past, past + l, ScalarType.Int64, h.device);
        var (cos, sin) = Qwen2Rope.Tables(positions, Config.HeadDim, Config.RopeTheta);
        var mask = CausalMask(attentionMask, b, l, past, h.dtype, h.device);
        var states = new List<Tensor> { h };
        for (var i = 0; i < layers.Count; i++)
        {
            h = layers[i].Forward(h, cos, sin, mask, cache, i);
            states.Add(h);
        }
        var last = norm.forward(h);
        states[^1] = last;
        var hidden = outputHiddenStates ? stack(states).MoveToOuterDisposeScope() : null;
        return new Qwen2ModelOutput(last.MoveToOuterDisposeScope(), hidden, h.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The additive mask [B, 1, L, past + L]: query i (position past + i) sees key j when j ≤ past + i and the 2-D
    /// mask keeps j; other entries are the dtype's lowest value (HF's <c>finfo(dtype).min</c>, not −∞).
    /// </summary>
    public static Tensor CausalMask(Tensor? attentionMask, long batch, long length, long past, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var total = past + length;
        if (attentionMask is not null && !attentionMask.shape.SequenceEqual([batch, total]))
            throw new ArgumentException($"attention mask [{string.Join(",", attentionMask.shape)}] must be [{batch},{total}] (cached + new tokens)");
        var q = arange(past, total, ScalarType.Int64, device).unsqueeze(1);
        var k = arange(0, total, ScalarType.Int64, device).unsqueeze(0);
        var allowed = (k <= q).view(1, 1, length, total);
        if (attentionMask is not null) allowed = allowed & attentionMask.to(device).ne(0).view(batch, 1, 1, total);
        var lowest = finfo(dtype).min;
        var additive = zeros([batch, 1, length, total], dtype, device).masked_fill(allowed.logical_not(), lowest);
        return additive.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor inputIds) => Forward(inputIds).LastHiddenState;
}
