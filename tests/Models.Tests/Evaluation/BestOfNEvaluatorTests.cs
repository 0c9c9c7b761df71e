using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Tests.Verifiers;
using RAE.Grid.Training.Data;
using RAE.Grid.Training.Evaluation;

namespace RAE.Grid.Models.Tests.Evaluation;

/// <summary>
/// Best-of-N evaluation on the shipped bundle with its class probe, at a tiny size (few groups, 5 sampler steps, a
/// pixel classifier trained briefly): the counts agree with each other, N = k keeps exactly plain sampling, and the
/// classifier is trained once and then read from its cache.
/// </summary>
public class BestOfNEvaluatorTests
{
    static readonly Lazy<RaeModel> Model = new(() => RaeModel.Load(Path.Combine(ClassProbeVerifierTests.RepositoryRoot(), "bundles", "fashion-mnist", "bundle.json")));
    static readonly Lazy<LabeledImages> Train = new(() => FashionMnist.Load(FashionMnist.DefaultDirectory, "train", limit: 1000));
    static readonly Lazy<LabeledImages> Test = new(() => FashionMnist.Load(FashionMnist.DefaultDirectory, "test", limit: 200));
    static readonly PixelClassifierOptions Classifier = new(TrainImages: 1000, TestImages: 200, Epochs: 2, BatchSize: 64);
    static readonly SamplingSettings FewSteps = new(NumSteps: 5);

    [Fact]
    public void A_tiny_best_of_n_run_reports_consistent_counts_and_n_equal_to_keep_is_plain_sampling()
    {
        var cache = Directory.CreateTempSubdirectory("rae-eval-cache").FullName;
        var options = new BestOfNOptions([2, 6, 4], Keep: 2, Groups: 3, BatchSize: 8, Seed: 5, RealImages: 50, Classifier: Classifier);
        var report = BestOfNEvaluator.Evaluate(Model.Value, Train.Value, Test.Value, "fmnist-test-subset", options, cache, FewSteps);

        Assert.Equal([2, 6, 4], report.Rows.Select(r => r.N));
        Assert.Equal(3 * 6, report.CandidatesSampled);
        Assert.Equal("probe", report.VerifierName);
        Assert.False(report.ClassifierCached);
        Assert.InRange(report.ImagesDecoded, 3 * 2, 3 * 6);
        foreach (var r in report.Rows)
        {
            Assert.Equal(3 * 2, r.KeptImages);
            Assert.Equal(3L * (r.N - 2), r.DecodesSaved);
            Assert.Equal(report.Rows[0].ClassifierAccuracyPlain, r.ClassifierAccuracyPlain);
            Assert.Equal(report.Rows[0].FdPlain, r.FdPlain);
            Assert.InRange(r.ClassifierAccuracyBestOfN, 0, 1);
            Assert.True(double.IsFinite(r.FdBestOfN) && r.FdBestOfN >= 0);
        }
        // N = k keeps every candidate of plain sampling, only ranked: the same images, the same numbers.
        var same = report.Rows[0];
        Assert.Equal(same.ClassifierAccuracyPlain, same.ClassifierAccuracyBestOfN);
        Assert.Equal(same.FdPlain, same.FdBestOfN);
        Assert.Equal(same.VerifierScorePlain, same.VerifierScoreBestOfN, 9);
        // More candidates can only raise the mean score of the kept ones (each group keeps its top k of a superset).
        Assert.True(report.Rows[1].VerifierScoreBestOfN >= report.Rows[2].VerifierScoreBestOfN);
        Assert.True(report.Rows[2].VerifierScoreBestOfN >= same.VerifierScoreBestOfN);

        var again = BestOfNEvaluator.Evaluate(Model.Value, Train.Value, Test.Value, "fmnist-test-subset", options with { Ns = [6] }, cache, FewSteps);
        Assert.True(again.ClassifierCached);
        Assert.Equal(report.ClassifierPath, again.ClassifierPath);
        Assert.Equal(report.ClassifierAccuracyRealTest, again.ClassifierAccuracyRealTest);
        Assert.Equal(report.Rows[1], again.Rows[0]);
    }

    [Fact]
    public void The_pixel_classifier_learns_real_images_far_above_chance()
    {
        using var classifier = PixelClassifier.Train(Train.Value, 10, 28, Classifier);
        Assert.InRange(classifier.Accuracy(Test.Value, 200, 28), 0.6, 1.0); // chance is 0.10
    }

    [Fact]
    public void Best_of_n_options_name_the_bad_field_and_its_limit()
    {
        var e = Assert.Throws<ArgumentException>(() => new BestOfNOptions([8, 2], Keep: 4).Validate());
        Assert.Contains("N = 2 must be in 4..256", e.Message);
        Assert.Contains("groups", Assert.Throws<ArgumentException>(() => new BestOfNOptions([8], Groups: 0).Validate()).Message);
    }
}
