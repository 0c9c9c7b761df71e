using RAE.Grid.Training.Data;
using RAE.Grid.Training.Evaluation;
using RAE.Grid.Training.T2I;

namespace RAE.Grid.Models.Tests.Evaluation;

/// <summary>
/// The text-to-image evaluation on the random Fashion-MNIST T2I bundle at a tiny size (4 groups, N ≤ 4, 2 sampler steps,
/// a briefly trained pixel classifier): every row is there, plain and best-of rows keep and decode the same counts,
/// N = k is plain sampling, held-out rows prompt with held-out wordings, and a second run gives the same table. The
/// accuracies themselves are chance-level noise (random T2I weights).
/// </summary>
public class TextToImageEvaluatorTests
{
    static readonly Lazy<LabeledImages> Train = new(() => FashionMnist.Load(FashionMnist.DefaultDirectory, "train", limit: 1000));
    static readonly Lazy<LabeledImages> Test = new(() => FashionMnist.Load(FashionMnist.DefaultDirectory, "test", limit: 200));
    static readonly string Cache = Directory.CreateTempSubdirectory("rae-t2i-eval-cache").FullName;
    static readonly TextToImageEvalOptions Options = new([2, 4], Keep: 2, Groups: 4, BatchSize: 8, Seed: 5, RealImages: 50,
        Classifier: new PixelClassifierOptions(TrainImages: 1000, TestImages: 200, Epochs: 2, BatchSize: 64), Steps: 2);
    static readonly Lazy<TextToImageEvalReport> First = new(Run);

    static TextToImageEvalReport Run() =>
        TextToImageEvaluator.Evaluate(RandomFashionT2I.Model, Train.Value, Test.Value, "fmnist-t2i-test-subset", Options, Cache);

    [Fact]
    public void The_dev_bundle_is_a_t2i_model_on_the_fashion_mnist_rae_with_every_verifier()
    {
        var model = RandomFashionT2I.Model;
        Assert.Equal([64L, 4, 4], model.LatentShape);
        Assert.Equal([64L, 4, 4], model.TextToImage().LatentShape);
        Assert.Equal(["answer-logits", "prompt-confidence", "probe"], model.Bundle.Verifiers!.Select(v => v.Name));
        Assert.True(model.Bundle.RandomWeights);
    }

    [Fact]
    public void The_report_has_every_row_and_plain_and_best_of_rows_keep_and_decode_the_same_count()
    {
        var report = First.Value;
        string[] verifiers = ["answer-logits", "prompt-confidence", "probe"];
        Assert.Equal(verifiers, report.Verifiers.Keys);
        Assert.Equal(3 * (1 + verifiers.Length * 2), report.Rows.Count);
        Assert.Equal(3L * 4 * 4, report.CandidatesSampled);
        Assert.InRange(report.ImagesDecoded, 3 * 4 * 2, 3 * 4 * 4);
        Assert.Equal(2, report.Steps);
        foreach (var (_, split) in TextToImageEvalReport.Splits)
        {
            var plain = report.Row(split, TextToImageEvalRow.Plain, 0);
            Assert.Equal((2, 8, 0L), (plain.N, plain.KeptImages, plain.DecodesSaved));
            foreach (var v in verifiers)
                foreach (var n in new[] { 2, 4 })
                {
                    var r = report.Row(split, v, n);
                    Assert.Equal(plain.KeptImages, r.KeptImages);
                    Assert.Equal(4L * (n - 2), r.DecodesSaved);
                    Assert.InRange(r.PromptAccuracy, 0, 1);
                    Assert.True(double.IsFinite(r.Fd) && r.Fd >= 0);
                    Assert.NotNull(r.MeanScore);
                }
            // N = k keeps every plain candidate, only ranked: the same images, the same numbers.
            foreach (var v in verifiers)
                Assert.Equal((plain.PromptAccuracy, plain.Fd), (report.Row(split, v, 2).PromptAccuracy, report.Row(split, v, 2).Fd));
        }
    }

    [Fact]
    public void Held_out_rows_prompt_with_held_out_wordings_and_seen_rows_with_seen_ones()
    {
        var report = First.Value;
        for (var g = 0; g < 4; g++)
        {
            var (seen, heldOut) = (report.Prompts[TextToImageEvalReport.Seen][g], report.Prompts[TextToImageEvalReport.HeldOut][g]);
            var templates = report.Prompts[TextToImageEvalReport.HeldOutTemplates][g];
            Assert.Contains(seen, FashionCaptions.All(g % 10, CaptionSplit.Seen));
            Assert.Contains(templates, FashionCaptions.All(g % 10, CaptionSplit.HeldOutTemplates));
            Assert.DoesNotContain(templates, FashionCaptions.All(g % 10, CaptionSplit.Seen));
            Assert.Equal(g % 10, FashionCaptions.LabelOf(templates));
            Assert.Contains(heldOut, FashionCaptions.All(g % 10, CaptionSplit.HeldOut));
            Assert.DoesNotContain(heldOut, FashionCaptions.All(g % 10, CaptionSplit.Seen));
            Assert.Equal(g % 10, FashionCaptions.LabelOf(heldOut));
        }
        Assert.Equal("a photo of a t-shirt", TextToImageEvaluator.Prompt(0, CaptionSplit.Seen));
    }

    [Fact]
    public void A_second_run_gives_the_same_table()
    {
        var first = First.Value; // trains and caches the pixel classifier when this test runs first
        var again = Run();
        Assert.True(again.ClassifierCached);
        Assert.Equal(First.Value.Rows, again.Rows);
        Assert.Equal(First.Value.ImagesDecoded, again.ImagesDecoded);
    }

    [Fact]
    public void Options_name_the_bad_field_and_its_limit()
    {
        Assert.Contains("N = 2 must be in 4..256", Assert.Throws<ArgumentException>(() => new TextToImageEvalOptions([2, 8]).Validate()).Message);
        Assert.Contains("lists an N twice", Assert.Throws<ArgumentException>(() => new TextToImageEvalOptions([8, 8]).Validate()).Message);
        Assert.Contains("verifier", Assert.Throws<ArgumentException>(() => new TextToImageEvalOptions(Verifiers: []).Validate()).Message);
        Assert.Equal([4, 8, 16], new TextToImageEvalOptions().NList);
    }
}
