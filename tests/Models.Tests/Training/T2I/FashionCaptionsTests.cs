using RAE.Grid.Training.T2I;

namespace RAE.Grid.Models.Tests.Training.T2I;

public sealed class FashionCaptionsTests
{
    [Fact]
    public void Captions_read_naturally_and_name_their_class()
    {
        Assert.Contains("a photo of an ankle boot", FashionCaptions.All(9, CaptionSplit.Seen));
        Assert.Contains("product shot: a pullover", FashionCaptions.All(2, CaptionSplit.Seen));
        for (var label = 0; label < FashionCaptions.Classes; label++)
            foreach (var split in Enum.GetValues<CaptionSplit>())
                foreach (var caption in FashionCaptions.All(label, split))
                    Assert.Equal(label, FashionCaptions.LabelOf(caption));
    }

    [Fact]
    public void Held_out_captions_share_no_template_or_synonym_with_the_training_captions()
    {
        var seen = Enumerable.Range(0, FashionCaptions.Classes).SelectMany(l => FashionCaptions.All(l, CaptionSplit.Seen)).ToHashSet();
        var heldOut = Enumerable.Range(0, FashionCaptions.Classes).SelectMany(l => FashionCaptions.All(l, CaptionSplit.HeldOut)).ToList();
        Assert.DoesNotContain(heldOut, seen.Contains);
        Assert.Empty(FashionCaptions.SeenTemplates.Intersect(FashionCaptions.HeldOutTemplates));
        var seenWords = FashionCaptions.SeenSynonyms.SelectMany(s => s).ToHashSet();
        Assert.DoesNotContain(FashionCaptions.HeldOutSynonyms.SelectMany(s => s), seenWords.Contains);
    }

    [Fact]
    public void Held_out_template_captions_put_trained_class_words_in_templates_never_trained_on()
    {
        var seen = Enumerable.Range(0, FashionCaptions.Classes).SelectMany(l => FashionCaptions.All(l, CaptionSplit.Seen)).ToHashSet();
        Assert.Contains("a studio shot of an ankle boot", FashionCaptions.All(9, CaptionSplit.HeldOutTemplates));
        for (var label = 0; label < FashionCaptions.Classes; label++)
            foreach (var caption in FashionCaptions.All(label, CaptionSplit.HeldOutTemplates))
            {
                Assert.DoesNotContain(caption, seen);
                Assert.Contains(FashionCaptions.SeenSynonyms[label], s => caption.EndsWith(FashionCaptions.WithArticle(s), StringComparison.Ordinal));
            }
    }

    [Fact]
    public void A_caption_is_a_function_of_its_class_index_and_split_and_sampling_is_seeded()
    {
        Assert.Equal(FashionCaptions.Caption(3, 17, CaptionSplit.Seen), FashionCaptions.Caption(3, 17, CaptionSplit.Seen));
        var a = Enumerable.Range(0, 20).Select(i => FashionCaptions.Sample(i % 10, new Random(i))).ToList();
        var b = Enumerable.Range(0, 20).Select(i => FashionCaptions.Sample(i % 10, new Random(i))).ToList();
        Assert.Equal(a, b);
        Assert.Throws<ArgumentOutOfRangeException>(() => FashionCaptions.Caption(10, 0, CaptionSplit.Seen));
    }
}
