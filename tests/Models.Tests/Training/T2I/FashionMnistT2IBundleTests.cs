using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Tests.Verifiers;
using RAE.Grid.Models.Verifiers;
using RAE.Grid.Training.Data;
using RAE.Grid.Training.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.T2I;

/// <summary>
/// The shipped <c>bundles/fashion-mnist-t2i</c> follows prompts and its Answer-Logits verifier reads latents: samples for
/// one caption per class (the bundle's sampler defaults), classified by the base bundle's probe, name the prompted class far above chance (10 %),
/// with seen wordings and with held-out templates around trained class words (held-out synonyms are near chance: the
/// LLM was trained from scratch and never saw those words, so no bound is asserted for them), and on
/// real test-set latents the verifier says "yes" to the matching caption more often than to another class's caption.
/// The numbers are printed; the bounds are loose so the test checks the behaviour, not one training run's luck.
/// </summary>
public sealed class FashionMnistT2IBundleTests
{
    static readonly Lazy<RaeModel> Model = new(() =>
        RaeModel.Load(Path.Combine(ClassProbeVerifierTests.RepositoryRoot(), "bundles", "fashion-mnist-t2i", "bundle.json")));

    /// <summary>Share of <paramref name="latents"/> whose probe argmax is <paramref name="labels"/>.</summary>
    static double ProbeAccuracy(Tensor latents, int[] labels)
    {
        var probe = Model.Value.Verifier("probe");
        var scores = stack(Enumerable.Range(0, FashionCaptions.Classes)
            .Select(c => probe.Score(latents, labels.Select(_ => new LatentCondition(c)).ToArray())).ToArray(), 1);
        var predicted = scores.argmax(1).data<long>().ToArray();
        return labels.Where((l, i) => predicted[i] == l).Count() / (double)labels.Length;
    }

    [Theory]
    [InlineData(CaptionSplit.Seen, 0.5)]
    [InlineData(CaptionSplit.HeldOutTemplates, 0.3)]
    public void Samples_follow_the_prompted_class(CaptionSplit split, double atLeast)
    {
        using var scope = NewDisposeScope();
        var t2i = Model.Value.TextToImage();
        const int perClass = 4;
        var labels = Enumerable.Range(0, FashionCaptions.Classes * perClass).Select(i => i / perClass).ToArray();
        var prompts = labels.Select((l, i) => FashionCaptions.Caption(l, i % perClass, split)).ToArray();
        var sampler = t2i.Section.Sampler;
        var latents = t2i.Generate(t2i.Condition(prompts), labels.Select((_, i) => (long)i).ToArray(), labels.Select(_ => 0L).ToArray(),
            sampler.NumSteps, sampler.CfgScale, T2ISamplerSection.Parse(sampler.Method));
        var accuracy = ProbeAccuracy(latents, labels);
        Console.WriteLine($"{split} (cfg {sampler.CfgScale}, {sampler.NumSteps} steps): probe agrees with the prompt's class on {accuracy:P0} of {labels.Length} samples");
        Assert.True(accuracy >= atLeast, $"{split} prompt accuracy {accuracy:P0} < {atLeast:P0}");
    }

    [Fact]
    public void Answer_logits_says_yes_to_matching_captions_more_often()
    {
        using var scope = NewDisposeScope();
        var test = FashionMnist.Load(FashionMnist.DefaultDirectory, "test", limit: 40);
        Tensor latents;
        using (no_grad()) latents = Model.Value.Encoder.Encode(test.ToFloatRgb(0, test.Count));
        var labels = test.Labels.to(ScalarType.Int64).data<long>().Select(l => (int)l).ToArray();
        var verifier = (AnswerLogitsVerifier)Model.Value.Verifier("answer-logits");
        double YesRate(Func<int, int> captionClass) => Enumerable.Range(0, labels.Length)
            .Average(i => verifier.Evaluate(latents[i], FashionCaptions.Caption(captionClass(i), i, CaptionSplit.Seen)).Score.Score);
        var match = YesRate(i => labels[i]);
        var mismatch = YesRate(i => (labels[i] + 1 + i % 9) % FashionCaptions.Classes);
        Console.WriteLine($"answer-logits on {labels.Length} real test latents: yes for {match:P0} of matching captions, {mismatch:P0} of mismatched");
        Assert.True(match > mismatch + 0.2, $"yes rate matching {match:P0}, mismatched {mismatch:P0}");
    }
}
