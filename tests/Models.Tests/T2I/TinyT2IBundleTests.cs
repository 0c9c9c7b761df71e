using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Writers;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.T2I;
using RAE.Grid.Models.Tests.Verifiers;
using RAE.Grid.Models.Verifiers;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.T2I;

/// <summary>
/// The shipped <c>bundles/tiny-t2i</c> end to end: <see cref="TextToImage"/> conditions prompts and generates latents
/// independently of the batch, its understanding half shares the loaded LLM, and both LLM verifiers load from
/// bundle.json and score latents. The numbers are random-weight noise; the tests check shapes, batching and sharing.
/// </summary>
public class TinyT2IBundleTests
{
    internal static string BundlePath => Path.Combine(ClassProbeVerifierTests.RepositoryRoot(), "bundles", "tiny-t2i", "bundle.json");

    static readonly Lazy<RaeModel> Shared = new(() => RaeModel.Load(BundlePath));

    static double MaxAbs(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Fact]
    public void Prompts_of_any_lengths_condition_row_by_row_whatever_the_batch()
    {
        using var scope = NewDisposeScope();
        var t2i = Shared.Value.TextToImage();
        Assert.Same(t2i, Shared.Value.TextToImage());
        string[] prompts = ["a cat", "a photo of a horse and a giraffe", "a red car"];
        Assert.Equal(3, prompts.Select(p => t2i.GenerationIds(p).Length).Distinct().Count());
        var cond = t2i.Condition(prompts);
        Assert.Equal([3L, 256, 32], cond.shape);
        Assert.Equal(ScalarType.Float32, cond.dtype);
        // "a red car" and "a big dog" have equal lengths, so they run as one batch of two.
        var batch = t2i.Condition(["a big dog", "a red car", "a cat"]);
        Assert.Equal(t2i.GenerationIds("a big dog").Length, t2i.GenerationIds("a red car").Length);
        Assert.True(MaxAbs(batch[1], cond[2]) <= 1e-6, $"batched row differs by {MaxAbs(batch[1], cond[2])}");
        Assert.True(MaxAbs(batch[2], cond[0]) <= 1e-6);
        Assert.True(MaxAbs(batch[0], t2i.Condition(["a big dog"])[0]) <= 1e-6);
    }

    [Fact]
    public void Generation_ids_are_the_template_and_image_start_and_the_prompt_length_is_limited()
    {
        var t2i = Shared.Value.TextToImage();
        var ids = t2i.GenerationIds("a photo of a horse");
        Assert.Equal(t2i.Tokenizer.SpecialId(ScaleRaePrompts.ImageStart), ids[^1]);
        Assert.Equal(ScaleRaePrompts.Generation("a photo of a horse"), t2i.Tokenizer.Decode(ids[..^1].Select(x => (int)x)));
        Assert.Equal(5, t2i.Tokenizer.Encode("a photo of a horse").Count); // every word of the tiny vocabulary is one token
        Assert.Contains("prompt: empty", Assert.Throws<ArgumentException>(() => t2i.GenerationIds("  ")).Message);

        var bundle = RaeBundle.Load(BundlePath);
        using var limited = TextToImage.Load(bundle with { T2I = bundle.T2I! with { MaxPromptTokens = 3 } });
        var e = Assert.Throws<ArgumentException>(() => limited.GenerationIds("a photo of a horse"));
        Assert.Equal("prompt: 5 tokens, over t2i.max_prompt_tokens 3", e.Message);
        Assert.Equal(1, limited.Condition(["a red car"]).shape[0]); // 3 tokens: at the limit, not over it
    }

    [Fact]
    public void A_latent_depends_on_its_seed_and_item_index_not_on_its_batch()
    {
        using var scope = NewDisposeScope();
        var t2i = Shared.Value.TextToImage();
        var cond = t2i.Condition(["a cat", "a red car", "a big dog"]);
        long[] seeds = [7, 7, 9], items = [0, 1, 0];
        var batch = t2i.Generate(cond, seeds, items, 2, 1.0, ScaleRaeSampler.Euler);
        Assert.Equal([3L, 32, 16, 16], batch.shape);
        Assert.True(batch.isfinite().all().item<bool>());
        for (var b = 0; b < 3; b++)
        {
            var alone = t2i.Generate(cond[b..(b + 1)], [seeds[b]], [items[b]], 2, 1.0, ScaleRaeSampler.Euler);
            Assert.True(MaxAbs(alone[0], batch[b]) <= 1e-5, $"item {b}: alone vs batch {MaxAbs(alone[0], batch[b])}");
        }
        Assert.False(MaxAbs(batch[0], batch[1]) == 0);
        var guided = t2i.Generate(cond, seeds, items, 2, 3.0, ScaleRaeSampler.Euler);
        Assert.True(MaxAbs(guided, batch) > 0);
        var official = t2i.Generate(cond, seeds, items, 3, 1.0, ScaleRaeSampler.OfficialLoop);
        Assert.Equal(batch.shape, official.shape);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => t2i.Generate(cond, seeds, items, 2, 1.0, ScaleRaeSampler.Euler, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => t2i.Generate(cond, seeds, items, 3, 1.0, ScaleRaeSampler.OfficialLoop, cancelled.Token));
    }

    [Fact]
    public void The_understanding_half_shares_the_loaded_llm_and_projector()
    {
        var t2i = Shared.Value.TextToImage();
        var u = t2i.Understanding(SplicePrecision.NoCast);
        Assert.Same(t2i.Model.Llm, u.Lm);
        Assert.Same(t2i.Model.MmProjector, u.Projector);
        Assert.Equal(SplicePrecision.NoCast, u.Precision);
    }

    [Fact]
    public void Every_yes_and_no_variant_is_one_token_of_the_tiny_tokenizer()
    {
        var tokenizer = Shared.Value.TextToImage().Tokenizer;
        foreach (var v in new[] { "yes", "Yes", "YES", " yes", " Yes", " YES", "no", "No", "NO", " no", " No", " NO" })
            Assert.True(tokenizer.Encode(v).Count == 1, $"'{v}' is {tokenizer.Encode(v).Count} tokens");
    }

    [Fact]
    public void Both_llm_verifiers_load_from_the_bundle_and_score_latents_deterministically()
    {
        using var scope = NewDisposeScope();
        var model = Shared.Value;
        var t2i = model.TextToImage();
        var latents = t2i.Generate(t2i.Condition(["a cat", "a cat", "a cat", "a cat"]), [1, 1, 1, 1], [0, 1, 2, 3], 2, 1.0, ScaleRaeSampler.Euler);
        var conditions = Enumerable.Repeat(new LatentCondition(-1, "a cat"), 4).ToList();
        foreach (var name in new[] { "answer-logits", "prompt-confidence" })
        {
            var verifier = model.Verifier(name);
            Assert.Same(verifier, model.Verifier(name));
            Assert.StartsWith(name + "@", verifier.Version);
            var scores = verifier.Score(latents, conditions);
            Assert.Equal([4L], scores.shape);
            Assert.True(scores.isfinite().all().item<bool>(), $"{name}: {string.Join(", ", scores.data<float>().ToArray())}");
            Assert.Equal(scores.data<float>().ToArray(), verifier.Score(latents, conditions).data<float>().ToArray());
            Assert.Equal(scores[2].item<float>(), verifier.Score(latents[2..3], conditions[2..3])[0].item<float>());
        }
        Assert.Same(model.Verifier(), model.Verifier("answer-logits"));
        // A one-token prompt has no prompt-loss term; its confidence still scores.
        Assert.True(model.Verifier("prompt-confidence").Score(latents[..1], [new LatentCondition(-1, "cat")]).isfinite().all().item<bool>());
    }

    [Fact]
    public void Answer_logits_runs_with_the_official_bf16_splice_and_without_it()
    {
        using var scope = NewDisposeScope();
        var bundle = RaeBundle.Load(BundlePath);
        VerifierSection Answer(string name, string? precision) =>
            new() { Name = name, Type = AnswerLogitsVerifier.TypeName, SplicePrecision = precision, MaxNewTokens = 2 };
        using var model = RaeModel.Load(bundle with { Verifiers = [Answer("bf16", null), Answer("nocast", "none")] });
        var latents = randn(2, 32, 16, 16, generator: new Generator(3));
        var conditions = Enumerable.Repeat(new LatentCondition(-1, "a photo of a horse"), 2).ToList();
        var bf16 = model.Verifier("bf16").Score(latents, conditions);
        var nocast = model.Verifier("nocast").Score(latents, conditions);
        Assert.True(bf16.isfinite().all().item<bool>() && nocast.isfinite().all().item<bool>());
    }

    [Fact]
    public void The_random_t2i_bundle_is_reproducible_bit_for_bit_and_is_the_shipped_one()
    {
        var a = Directory.CreateTempSubdirectory("t2i-a").FullName;
        var b = Directory.CreateTempSubdirectory("t2i-b").FullName;
        RandomBundle.CreateT2I(a, seed: 0);
        RandomBundle.CreateT2I(b, seed: 0);
        var shipped = Path.GetDirectoryName(BundlePath)!;
        var files = Directory.EnumerateFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToList();
        Assert.Contains(Path.Combine("t2i", "model.safetensors"), files);
        foreach (var f in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(a, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(b, f))), $"{f} differs between two runs");
            Assert.True(File.ReadAllBytes(Path.Combine(a, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(shipped, f))), $"{f} differs from bundles/tiny-t2i");
        }
        Assert.True(files.Sum(f => new FileInfo(Path.Combine(a, f)).Length) < 4 << 20);
    }
}
