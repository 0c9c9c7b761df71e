using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Bundles;
using static TorchSharp.torch;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// What a text batch does with the loaded model: prompts → the condition tokens [L, z] of a text-to-image bundle's
/// diffusion head. A prompt the bundle cannot take (empty, over <c>t2i.max_prompt_tokens</c>) fails alone, naming the
/// limit, and the others run; on a bundle without a t2i section every prompt fails, saying so.
/// </summary>
public sealed class TextKernel(GridOptions options)
{
    /// <summary>One batch of prompts → one condition per prompt, in order.</summary>
    public IReadOnlyList<Result<TensorPayload>> Condition(RaeModel model, IReadOnlyList<string> prompts)
    {
        if (StandInStage.For(options, StageNames.Text) is { } standIn) return standIn.Condition(prompts);
        using var scope = NewDisposeScope();
        var results = new Result<TensorPayload>[prompts.Count];
        Models.T2I.TextToImage t2i;
        try { t2i = model.TextToImage(); }
        catch (InvalidOperationException e) { return prompts.Select(_ => Result<TensorPayload>.Fail(new ItemRejectedException(e.Message))).ToList(); }
        var good = new List<int>();
        for (int i = 0; i < prompts.Count; i++)
        {
            try { t2i.GenerationIds(prompts[i]); good.Add(i); }
            catch (ArgumentException e) { results[i] = Result<TensorPayload>.Fail(new ItemRejectedException(e.Message)); }
        }
        if (good.Count > 0)
        {
            var condZ = t2i.Condition(good.Select(i => prompts[i]).ToList()).to(ScalarType.Float32);
            for (int j = 0; j < good.Count; j++)
                results[good[j]] = Result<TensorPayload>.Ok(TensorPayloads.ToPayload(condZ[j]).EnsureWithin(options.MaxPayloadBytes, "prompt condition"));
        }
        return results;
    }
}
