using System.Text.Json.Nodes;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Writers;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.T2I;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Bundles;

/// <summary>
/// The <c>t2i</c> section and the LLM verifier types are validated like the rest of a bundle: each problem names its
/// field, the diffusion head's latent must be the encoder's, and <c>skip_prefixes</c> is the only way past strict loading.
/// </summary>
public class T2IBundleValidationTests
{
    /// <summary>A fresh copy of the random T2I bundle; variants are written beside its bundle.json.</summary>
    static readonly Lazy<string> Dir = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("t2i-validation").FullName;
        RandomBundle.CreateT2I(dir);
        return dir;
    });

    /// <summary>Writes the bundle with <paramref name="change"/> applied to its JSON; returns the new file's path.</summary>
    static string Variant(string name, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Dir.Value, "bundle.json")))!.AsObject();
        change(json);
        var path = Path.Combine(Dir.Value, name + ".json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    static IReadOnlyList<string> Problems(string path) => Assert.Throws<BundleValidationException>(() => RaeBundle.Load(path)).Problems;

    [Theory]
    [InlineData("weights", "t2i.llm.weights: file not found")]
    [InlineData("method", "t2i.sampler.method: 'heun' is not one of euler, official-loop")]
    [InlineData("max_prompt_tokens", "t2i.max_prompt_tokens: must be positive")]
    [InlineData("tokenizer", "t2i.tokenizer[1]: file not found")]
    [InlineData("cfg", "t2i.sampler.cfg_scale: must be at least 1")]
    [InlineData("diff_head", "t2i.diff_head: field 'depth'")]
    [InlineData("precision", "verifiers[0].splice_precision: 'fp8' is not one of official-bf16, none")]
    public void A_bad_t2i_field_is_a_problem_naming_it(string what, string expected)
    {
        var path = Variant("bad-" + what, b =>
        {
            var t = b["t2i"]!.AsObject();
            switch (what)
            {
                case "weights": t["llm"]!["weights"] = "t2i/nope.safetensors"; break;
                case "method": t["sampler"]!["method"] = "heun"; break;
                case "max_prompt_tokens": t["max_prompt_tokens"] = 0; break;
                case "tokenizer": t["tokenizer"]![1] = "t2i/nope.txt"; break;
                case "cfg": t["sampler"]!["cfg_scale"] = 0.5; break;
                case "diff_head": t["diff_head"]!["depth"] = 0; break;
                case "precision": b["verifiers"]![0]!["splice_precision"] = "fp8"; break;
            }
        });
        var problems = Problems(path);
        Assert.True(problems.Any(p => p.StartsWith(expected)), string.Join("\n", problems));
    }

    [Fact]
    public void An_llm_verifier_in_a_bundle_without_t2i_is_a_problem_naming_it()
    {
        var problems = Problems(Variant("no-t2i", b => b.Remove("t2i")));
        Assert.Contains(problems, p => p.StartsWith("verifiers[0].type: 'answer-logits'") && p.Contains("no t2i section"));
        Assert.Contains(problems, p => p.StartsWith("verifiers[1].type: 'prompt-confidence'"));
        Assert.DoesNotContain(problems, p => p.Contains(".weights"));
    }

    [Theory]
    [InlineData("in_channels", 48)]
    [InlineData("input_size", 8)]
    public void A_diffusion_head_whose_latent_is_not_the_encoders_fails_at_load_naming_the_field(string field, int value)
    {
        var path = Variant("shape-" + field, b => b["t2i"]!["diff_head"]![field] = value);
        var e = Assert.Throws<BundleValidationException>(() => RaeModel.Load(path));
        Assert.Contains(e.Problems, p => p.StartsWith($"t2i.diff_head.{field}:"));
    }

    [Fact]
    public void A_bundle_without_stage_2_loads_and_one_without_t2i_says_so()
    {
        using var model = RaeModel.Load(Variant("rae-only", b => { b.Remove("t2i"); b.Remove("verifiers"); }));
        Assert.Null(model.Diffusion);
        var e = Assert.Throws<InvalidOperationException>(() => model.TextToImage());
        Assert.Contains("bundle 'tiny-t2i-random' has no t2i section", e.Message);
    }

    [Fact]
    public void Skip_prefixes_drop_keys_by_name_and_everything_else_stays_strict()
    {
        using var scope = NewDisposeScope();
        var weights = SafeTensorsFile.ReadAll(Path.Combine(Dir.Value, "t2i", "model.safetensors"));
        weights["model.vision_tower.patch.weight"] = zeros(2, 2);
        SafeTensorsWriter.Write(Path.Combine(Dir.Value, "t2i", "with-tower.safetensors"), weights);
        var strict = RaeBundle.Load(Variant("tower", b => b["t2i"]!["llm"]!["weights"] = "t2i/with-tower.safetensors"));
        var e = Assert.Throws<StateDictMismatchException>(() => TextToImage.Load(strict));
        Assert.Equal(["model.vision_tower.patch.weight"], e.Unexpected);
        var skipping = RaeBundle.Load(Variant("tower-skipped", b =>
        {
            b["t2i"]!["llm"]!["weights"] = "t2i/with-tower.safetensors";
            b["t2i"]!["llm"]!["skip_prefixes"] = new JsonArray("model.vision_tower.");
        }));
        using var t2i = TextToImage.Load(skipping);
        Assert.Equal([32L, 16, 16], t2i.LatentShape);
    }
}
