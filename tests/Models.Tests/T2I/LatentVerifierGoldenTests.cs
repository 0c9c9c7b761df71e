using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Tests.Golden;
using RAE.Grid.Models.Tests.Golden.Runners;
using RAE.Grid.Models.Verifiers;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.T2I;

/// <summary>
/// Golden case <c>t2i/latent_verifier</c> (README Addendum 3, A3.4) beyond its runner (<see cref="LatentVerifierRunner"/>):
/// best-of-N through the grid's <see cref="ILatentVerifier"/> / <see cref="BestOfN"/> picking the reference winners,
/// and strict loading. Counts and sizes come from the case's files, so any case set of this shape runs.
/// </summary>
public sealed class LatentVerifierGoldenTests(ITestOutputHelper output)
{
    private static GoldenCase Case() => GoldenCase.At("t2i/latent_verifier");

    [Fact]
    public void Best_of_N_through_the_grid_interface_picks_the_reference_winners_for_both_verifiers()
    {
        using var scope = NewDisposeScope();
        var c = Case();
        var io = c.Read("io.safetensors");
        var (answer, prompt) = LatentVerifierRunner.Verifiers(c, LatentVerifierRunner.LoadModel(c), io);
        var text = c["prompt"].GetString()!;
        var conditions = Enumerable.Repeat(new LatentCondition(-1, text), LatentVerifierRunner.Candidates(c)).ToList();
        foreach (var (verifier, metric) in new (ILatentVerifier, string)[] { (answer, "answer_logits"), (prompt, "prompt_conf") })
        {
            var scores = verifier.Score(io["in.latents"], conditions).data<float>().Select(x => (double)x).ToArray();
            var reference = io[$"out.top4_{metric}"].data<long>().Select(x => (int)x).ToArray();
            var winners = BestOfN.Select(scores, reference.Length);
            output.WriteLine($"{verifier.Name,-18} scores [{string.Join(", ", scores.Select(s => s.ToString("0.####")))}] → top4 [{string.Join(",", winners)}], reference [{string.Join(",", reference)}]");
            Assert.Equal(reference, winners);
        }
    }

    [Fact]
    public void Loading_skips_only_the_generation_keys_and_names_every_other_problem()
    {
        var c = new GoldenCase(Path.Combine(GoldenCase.Root, "t2i", "scale_rae_t2i"));
        var hf = c["hf_config"];
        var config = ScaleRaeUnderstanding.LlmConfig(hf);
        var mmHidden = hf.GetProperty("mm_hidden_size").GetInt64();
        var broken = new Dictionary<string, Tensor>(c.Read("weights.safetensors"));
        broken.Remove("model.mm_projector.2.bias");
        broken.Remove("lm_head.weight");
        broken["model.extra"] = zeros(1);
        var e = Assert.ThrowsAny<Exception>(() => ScaleRaeUnderstanding.Load(config, mmHidden, broken, "broken"));
        Assert.IsType<StateDictMismatchException>(e);
        Assert.Contains("lm_head.weight", e.Message);
        Assert.Contains("model.extra", e.Message);
        broken = new Dictionary<string, Tensor>(c.Read("weights.safetensors")) { ["model.mm_projector.2.bias"] = zeros(3) };
        var p = Assert.Throws<StateDictMismatchException>(() => ScaleRaeUnderstanding.Load(config, mmHidden, broken, "broken"));
        Assert.Contains("2.bias", p.Message);
    }
}
