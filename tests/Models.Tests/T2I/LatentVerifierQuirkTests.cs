using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Tests.Golden;
using RAE.Grid.Models.Tests.Golden.Runners;
using RAE.Grid.Models.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.T2I;

/// <summary>The official quirks of the latent verifiers (Addendum 3, A3.4), each pinned on its own.</summary>
public sealed class LatentVerifierQuirkTests
{
    private static readonly HashSet<long> Yes = [30, 33], No = [36, 39];

    private static GreedyDecodeResult Answer(params long[] ids) =>
        new(ids, ids.Select((_, i) => 1.0 + i).ToArray(), ids.Select((_, i) => 0.1 * (i + 1)).ToArray(), zeros(ids.Length, 4));

    [Fact]
    public void Get_score_lets_the_last_occurrence_win_and_yes_beat_no()
    {
        var s = AnswerScore.From(Answer(30, 36, 33, 61), Yes, No);
        Assert.Equal(("yes", 3.0, 2.0), (s.Answer, s.YesLogit, s.NoLogit));
        Assert.Equal(0.3, s.YesConf, 12);
        Assert.Equal(0.25, s.ResponseConf, 12);
        var u = AnswerScore.From(Answer(5, 61), Yes, No);
        Assert.Equal(("uncertain", 0.0, 0.0, 0), (u.Answer, u.YesLogit, u.NoLogit, u.Score));
    }

    [Fact]
    public void Rankings_are_stable_and_the_loss_metric_sorts_by_yes_conf()
    {
        CandidateMetrics M(int i, int score, double yes, double no, double yesConf, double promptLoss) =>
            new(i, score, yes, no, yesConf, 0, promptLoss, 0, 0, 0);
        var c = new[] { M(0, 0, 0, 0, 0, 9), M(1, 0, 0, -1, 0, 1), M(2, 0, 0, 0, 0, 5), M(3, 1, 2, 0, 0.5, 3), M(4, 1, 3, 0, 0.2, 2) };
        Assert.Equal([4, 3, 1, 0, 2], VerifierRanking.Rank("answer_logits", c));
        Assert.Equal([1, 0, 2, 4, 3], VerifierRanking.Rank("loss", c));
        Assert.Equal([4, 3, 1, 0], VerifierRanking.Select("answer_logits", c));
        Assert.Throws<ArgumentException>(() => VerifierRanking.Rank("clip", c));
    }

    [Fact]
    public void Tokenize_with_image_joins_the_chunks_with_the_image_index()
    {
        var ids = LatentSplicing.TokenizeWithImage(t => t.Select(ch => (int)ch).ToArray(), "ab<image>c");
        Assert.Equal([97, 98, LatentSplicing.ImageTokenIndex, 99], ids);
    }

    [Fact]
    public void The_no_cast_option_misses_the_official_numbers_by_the_documented_amount()
    {
        // Addendum 3 sensitivity: omitting the bf16 cast moves prompt_conf_score by ~2.8e-4 relative, far above 2e-5.
        using var scope = NewDisposeScope();
        var c = new GoldenCase(Path.Combine(GoldenCase.Root, "t2i", "latent_verifier"));
        var io = c.Read("io.safetensors");
        var model = LatentVerifierRunner.LoadModel(c).With(SplicePrecision.NoCast);
        var (_, prompt) = LatentVerifierRunner.Verifiers(c, model, io);
        var features = io["mid.image_features_bf16"];
        var conf = Enumerable.Range(0, LatentVerifierRunner.Candidates(c)).Select(i => prompt.EvaluateFeatures(features[i], "", out _).PromptConf).ToArray();
        var reference = io["out.prompt_conf_score"].data<double>().ToArray();
        var rel = conf.Zip(reference, (a, b) => Math.Abs(a - b)).Max() / reference.Max(Math.Abs);
        Assert.True(rel > 5e-5, $"without the cast prompt_conf_score should miss out.* visibly, moved {rel:E2}");
    }
}
