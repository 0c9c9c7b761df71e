using RAE.Grid.Models.Tests.Golden;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.Tests.Golden.Runners;
using RAE.Grid.Models.Tests.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Llm;

/// <summary>
/// The incremental paths on the <c>qwen2_lm</c> golden weights: a KV cache fed token by token gives the full
/// forward's logits (padded batch included), inputs_embeds equals ids, and greedy decoding picks each argmax.
/// </summary>
public class Qwen2DecodingTests
{
    private static double RelativeError(Tensor ours, Tensor reference) =>
        (ours - reference).abs().max().item<float>() / reference.abs().max().item<float>();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_kv_cache_fed_token_by_token_equals_the_full_forward_at_every_position(bool tied)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (model, io) = Qwen2LmRunner.Load(GoldenCase.At("t2i/qwen2_lm"), tied);
        var ids = io["in.input_ids"];
        var mask = io["in.attention_mask"];
        var full = model.Forward(ids, attentionMask: mask).Logits;

        using var cache = model.NewCache();
        const int prefix = 4;
        var steps = new List<Tensor> { model.Forward(ids[.., ..prefix], attentionMask: mask[.., ..prefix], cache: cache).Logits };
        for (var t = prefix; t < ids.shape[1]; t++)
            steps.Add(model.Forward(ids[.., t..(t + 1)], attentionMask: mask[.., ..(t + 1)], cache: cache).Logits);

        Assert.Equal(ids.shape[1], cache.Length);
        Assert.True(RelativeError(cat(steps, 1), full) < 1e-5);
        // And against the reference itself, padded positions included.
        Assert.True(RelativeError(cat(steps, 1), io["out.logits"]) < 2e-5);
    }

    [Fact]
    public void Inputs_embeds_give_the_same_result_as_the_ids_they_embed()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (model, io) = Qwen2LmRunner.Load(GoldenCase.At("t2i/qwen2_lm"), tied: false);
        var ids = io["in.input_ids"];
        var mask = io["in.attention_mask"];
        var byIds = model.Forward(ids, attentionMask: mask).Logits;
        var byEmbeds = model.Forward(inputsEmbeds: model.model.embed_tokens.forward(ids), attentionMask: mask).Logits;
        Assert.True(TensorAssert.BitEqual(byIds, byEmbeds));
        Assert.Throws<ArgumentException>(() => model.Forward());
        Assert.Throws<ArgumentException>(() => model.Forward(ids, attentionMask: mask[.., ..5]));
    }

    [Fact]
    public void Greedy_decoding_with_the_cache_picks_the_full_forwards_argmax_at_each_step()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (model, io) = Qwen2LmRunner.Load(GoldenCase.At("t2i/qwen2_lm"), tied: true);
        var prompt = io["in.input_ids"][..1];
        var generated = model.GreedyDecode(prompt, null, maxNewTokens: 6);
        Assert.Equal([1L, 6L], generated.shape);

        var all = cat([prompt, generated], 1);
        var logits = model.Forward(all).Logits;
        var (from, to) = ((int)prompt.shape[1] - 1, (int)all.shape[1] - 1);
        var expected = logits[0, from..to].argmax(-1);
        Assert.True(TensorAssert.BitEqual(expected, generated[0]));
    }

    [Fact]
    public void Greedy_decoding_stops_when_every_row_emitted_eos()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (model, io) = Qwen2LmRunner.Load(GoldenCase.At("t2i/qwen2_lm"), tied: false);
        var prompt = io["in.input_ids"][..1];
        var first = model.GreedyDecode(prompt, null, maxNewTokens: 1)[0, 0].item<long>();
        var stopped = model.GreedyDecode(prompt, null, maxNewTokens: 5, eosTokenId: (int)first);
        Assert.Equal([1L, 1L], stopped.shape);
    }
}
