using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Writers;
using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Siglip;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Verifiers;

/// <summary>The shipped <c>bundles/tiny-siglip2</c>: its SigLIP-2 verifier loads from bundle.json and scores generated latents.</summary>
public class SiglipTinyBundleVerifierTests
{
    static string BundlePath()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo != null && !File.Exists(Path.Combine(repo.FullName, "RAE.Grid.sln"))) repo = repo.Parent;
        Assert.NotNull(repo);
        return Path.Combine(repo!.FullName, "bundles", "tiny-siglip2", "bundle.json");
    }

    [Fact]
    public void The_tiny_siglip2_bundle_scores_generated_latents_row_by_row_whatever_the_batch()
    {
        using var scope = NewDisposeScope();
        using var model = RaeModel.Load(BundlePath());
        Assert.IsType<SigLIP2wNorm>(model.Encoder.RepresentationEncoder);
        var verifier = model.Verifier("siglip2");
        Assert.Same(verifier, model.Verifier());
        Assert.StartsWith("siglip2-text:", verifier.Version);

        long[] labels = [3, 5, 3, 0];
        var latents = model.GenerateLatents(labels, seed: 11, itemIndices: [0, 1, 2, 3], new SamplingSettings(NumSteps: 3));
        var conditions = labels.Select(l => new LatentCondition((int)l)).ToList();
        var batch = verifier.Score(latents, conditions);
        Assert.Equal([4L], batch.shape);
        Assert.Equal(ScalarType.Float32, batch.dtype);
        Assert.True(batch.isfinite().all().item<bool>());
        for (int i = 0; i < labels.Length; i++)
        {
            var alone = verifier.Score(latents[i..(i + 1)], [conditions[i]]);
            Assert.Equal(batch[i].item<float>(), alone[0].item<float>(), 5);
        }
        // Reversed order: each row keeps its own score.
        var reversed = verifier.Score(latents.flip(0), conditions.AsEnumerable().Reverse().ToList());
        Assert.True(reversed.flip(0).allclose(batch, rtol: 1e-5, atol: 1e-5));
        // A label's text is its class name in the prompt template; an explicit text for the label is used instead.
        var named = verifier.Score(latents[..1], [new LatentCondition(3, "cat")]);
        Assert.Equal(batch[0].item<float>(), named[0].item<float>(), 5);
    }

    [Fact]
    public void A_verifier_first_used_inside_a_callers_dispose_scope_outlives_that_scope()
    {
        // A stage scores inside a dispose scope per batch; the first batch loads the verifier, whose weights must not
        // belong to that batch's scope.
        using var model = RaeModel.Load(BundlePath());
        float first;
        using (NewDisposeScope())
        {
            var latents = model.GenerateLatents([2], seed: 1, itemIndices: [0], new SamplingSettings(NumSteps: 2));
            first = model.Verifier("siglip2").Score(latents, [new LatentCondition(2)])[0].item<float>();
        }
        using var scope = NewDisposeScope();
        var again = model.GenerateLatents([2], seed: 1, itemIndices: [0], new SamplingSettings(NumSteps: 2));
        Assert.Equal(first, model.Verifier("siglip2").Score(again, [new LatentCondition(2)])[0].item<float>(), 5);
    }

    [Fact]
    public void The_score_is_the_siglip_logit_of_the_latent_against_its_class_prompt()
    {
        using var scope = NewDisposeScope();
        using var model = RaeModel.Load(BundlePath());
        var verifier = Assert.IsType<SiglipTextLatentVerifier>(model.Verifier("siglip2"));
        var latents = model.GenerateLatents([1, 8], seed: 4, itemIndices: [0, 1], new SamplingSettings(NumSteps: 2));
        var section = model.Bundle.Verifier("siglip2");
        var tokenizer = SiglipTokenizer.Load(section.Tokenizer!.Select(model.Bundle.Resolve).ToList(),
            SiglipTextConfig.FromFile(model.Bundle.Resolve(section.Config!)));
        var ids = tensor(new[] { "this is a photo of automobile.", "this is a photo of ship." }
            .SelectMany(tokenizer.Encode).ToArray()).reshape(2, -1);
        var pairs = verifier.ScorePairs(latents, ids);
        var scores = verifier.Score(latents, [new LatentCondition(1), new LatentCondition(8)]);
        Assert.True(scores.allclose(pairs.diagonal(), rtol: 1e-5, atol: 1e-5));
        Assert.Equal("this is a photo of ship.", verifier.TextOf(new LatentCondition(8)));
        Assert.Equal("a red ship", verifier.TextOf(new LatentCondition(-1, "a red ship")));
    }

    [Fact]
    public void Bad_scoring_input_is_refused_naming_what_is_wrong()
    {
        using var scope = NewDisposeScope();
        using var model = RaeModel.Load(BundlePath());
        var verifier = model.Verifier("siglip2");
        var latents = zeros(2, 32, 16, 16);
        var count = Assert.Throws<ArgumentException>(() => verifier.Score(latents, [new LatentCondition(0)]));
        Assert.Contains("latents: expected [1, C, h, w] for 1 conditions", count.Message);
        var width = Assert.Throws<ArgumentException>(() => verifier.Score(zeros(1, 8, 16, 16), [new LatentCondition(0)]));
        Assert.Contains("hidden_size", width.Message);
        var noText = Assert.Throws<ArgumentException>(() => verifier.Score(latents[..1], [new LatentCondition(-1)]));
        Assert.Contains("label -1 with no text", noText.Message);
    }

    [Fact]
    public void A_text_becomes_lowercased_ids_then_eos_then_padding_to_the_tower_length()
    {
        using var model = RaeModel.Load(BundlePath());
        var section = model.Bundle.Verifier("siglip2");
        var config = SiglipTextConfig.FromFile(model.Bundle.Resolve(section.Config!));
        var tokenizer = SiglipTokenizer.Load(section.Tokenizer!.Select(model.Bundle.Resolve).ToList(), config);
        var ids = tokenizer.Encode("This is a photo of CAT.");
        Assert.Equal(config.MaxPositionEmbeddings, ids.Length);
        Assert.Equal(ids, tokenizer.Encode("this is a photo of cat."));
        var eos = Array.IndexOf(ids, (long)config.EosTokenId);
        Assert.True(eos > 0);
        Assert.All(ids[(eos + 1)..], id => Assert.Equal(config.PadTokenId, id));
        Assert.All(ids[..eos], id => Assert.InRange(id, 3, config.VocabSize - 1));
        // The BPE merges make each prompt word one token: this, is, a, photo, of, automobile, "." and eos.
        Assert.Equal(8, Array.IndexOf(tokenizer.Encode("this is a photo of automobile."), (long)config.EosTokenId) + 1);
        // Too long a text is cut so that eos still ends it.
        var longIds = tokenizer.Encode(string.Join(' ', Enumerable.Repeat("horse", 40)));
        Assert.Equal(config.EosTokenId, longIds[^1]);
    }

    [Fact]
    public void The_verifier_of_a_non_siglip_bundle_is_refused_naming_the_encoder()
    {
        var dir = Directory.CreateTempSubdirectory("rae-siglip-verifier").FullName;
        var path = RandomBundle.CreateSiglip2(dir, seed: 1);
        var bundle = RaeBundle.Load(path);
        var dinoDir = Directory.CreateTempSubdirectory("rae-dino").FullName;
        RandomBundle.Create(dinoDir, seed: 1);
        foreach (var f in new[] { "encoder/config.json", "encoder/model.safetensors" })
            File.Copy(Path.Combine(dinoDir, f), Path.Combine(dir, f), overwrite: true);
        var dino = bundle with { Stage1 = bundle.Stage1 with { Params = bundle.Stage1.Params with { EncoderCls = "Dinov2withNorm" } } };
        dino.Save(path);
        using var model = RaeModel.Load(path);
        var e = Assert.Throws<BundleValidationException>(() => model.Verifier("siglip2"));
        Assert.Contains("SigLIP2wNorm", e.Message);
        Assert.Contains("Dinov2withNorm", e.Message);
    }

    [Fact]
    public void The_siglip2_random_bundle_is_reproducible_bit_for_bit()
    {
        var a = Directory.CreateTempSubdirectory("rae-siglip-a").FullName;
        RandomBundle.CreateSiglip2(a, seed: 0);
        var shipped = Path.GetDirectoryName(BundlePath())!;
        foreach (var f in Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)))
            Assert.True(File.ReadAllBytes(Path.Combine(a, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(shipped, f))), $"{f} differs from the shipped bundle");
    }
}
