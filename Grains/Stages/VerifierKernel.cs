using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// What a verifier batch does with the loaded model: candidate latents → scores by one of the bundle's verifiers (a
/// batch holds one verifier: the stage groups items by it). A latent not of the bundle's latent shape, or a class label
/// outside the bundle's classes, fails alone (<see cref="ItemRejectedException"/>); the others are scored together.
/// </summary>
public sealed class VerifierKernel(GridOptions options)
{
    /// <summary>One batch of (latent, request) items → one score per item, in order, named "verifier (version)".</summary>
    public IReadOnlyList<Result<CandidateScore>> Score(RaeModel model, IReadOnlyList<(TensorPayload Latent, VerifyRequest Request)> items)
    {
        if (StandInStage.For(options, StageNames.Verifier) is { } standIn) return standIn.Score(items);
        using var scope = NewDisposeScope();
        var results = new Result<CandidateScore>[items.Count];
        var good = new List<(int Index, Tensor Latent, LatentCondition Condition)>();
        for (int i = 0; i < items.Count; i++)
        {
            var (latent, request) = items[i];
            try
            {
                var t = TensorPayloads.ToLatent(model, latent);
                var condition = request.Condition;
                if (condition.Label is { } label && (label < 0 || label >= model.Bundle.Misc.NumClasses))
                    throw new ArgumentException($"class {label} is outside 0..{model.Bundle.Misc.NumClasses - 1}");
                // A label's text (its class name) is the verifier's to look up: it knows its bundle's class names.
                good.Add((i, t, condition.Label is { } l ? new LatentCondition(l) : new LatentCondition(-1, condition.Text)));
            }
            catch (ArgumentException e) { results[i] = Result<CandidateScore>.Fail(new ItemRejectedException(e.Message)); }
        }
        if (good.Count > 0)
        {
            var verifier = model.Verifier(items[good[0].Index].Request.Verifier);
            var scores = verifier.Score(stack(good.Select(g => g.Latent)), good.Select(g => g.Condition).ToList()).to(ScalarType.Float32).data<float>().ToArray();
            var name = $"{verifier.Name} ({verifier.Version})";
            for (int j = 0; j < good.Count; j++) results[good[j].Index] = Result<CandidateScore>.Ok(new CandidateScore(scores[j], name));
        }
        return results;
    }
}
