using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Grid.Tests.MultiProcess;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Imaging;
using RAE.Grid.Models.Rae;

namespace RAE.Grid.Grid.Tests.Cli;

/// <summary>
/// <c>rae-grid train</c>, <c>ablate</c> and a grid job on the trained bundle, as separate CLI processes on real
/// Fashion-MNIST images: the shipped recipe shrunk to seconds (512 images, one epoch, narrow models).
/// </summary>
public sealed class TrainCommandTests : IDisposable
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(300);
    readonly string _dir = Directory.CreateTempSubdirectory("rae-train-test").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>recipes/fashion-mnist.json with tiny widths and budgets (the structure and every other field kept).</summary>
    string TinyRecipe(string repo)
    {
        var text = string.Join('\n', File.ReadAllLines(Path.Combine(repo, "recipes", "fashion-mnist.json")).Where(l => !l.TrimStart().StartsWith("//")));
        var r = JsonNode.Parse(text)!.AsObject();
        r["name"] = "tiny-trained";
        r["train_limit"] = 512;
        r["threads"] = 1;
        var enc = r["encoder"]!;
        enc["epochs"] = 1; enc["batch_size"] = 128;
        enc["config"]!["hidden_size"] = 32; enc["config"]!["num_hidden_layers"] = 1; enc["config"]!["intermediate_size"] = 64;
        enc["config"]!["decoder_hidden_size"] = 32; enc["config"]!["decoder_num_hidden_layers"] = 1; enc["config"]!["decoder_intermediate_size"] = 64;
        var dec = r["decoder"]!;
        dec["epochs"] = 1; dec["batch_size"] = 64; dec["warmup_epochs"] = 0.5; dec["disc_start"] = 0.5; dec["gan_start"] = 0.5;
        dec["config"]!["hidden_size"] = 32; dec["config"]!["decoder_hidden_size"] = 32; dec["config"]!["decoder_num_hidden_layers"] = 1;
        dec["config"]!["decoder_intermediate_size"] = 64;
        var dit = r["dit"]!;
        dit["epochs"] = 1; dit["batch_size"] = 64; dit["weak_step"] = 3; dit["constant_epochs"] = 0;
        dit["params"]!["in_channels"] = 32; dit["params"]!["hidden_size"] = new JsonArray(32, 64); dit["params"]!["depth"] = new JsonArray(1, 1);
        r["ablations"] = new JsonObject
        {
            ["dit_epochs"] = 1, ["decoder_epochs"] = 1, ["eval_samples"] = 20, ["eval_reconstructions"] = 10, ["eval_steps"] = 2,
            ["narrow_width"] = 16, ["noise_taus"] = new JsonArray(0, 0.8),
        };
        var path = Path.Combine(_dir, "recipe.json");
        File.WriteAllText(path, r.ToJsonString());
        return path;
    }

    [Fact]
    public async Task Train_writes_a_loadable_bundle_a_rerun_skips_finished_stages_and_the_grid_generates_with_it()
    {
        var repo = GridCli.RepositoryRoot();
        var recipe = TinyRecipe(repo);
        var bundleDir = Path.Combine(_dir, "bundle");
        var work = Path.Combine(_dir, "work");

        var (code, stdout, stderr) = await CliProcess.RunAsync(repo, Timeout, "train", "--recipe", recipe, "--out", bundleDir, "--work", work);
        Assert.True(code == 0, $"train: exit {code}\n{stdout}\n{stderr}");
        var bundle = RaeBundle.Load(Path.Combine(bundleDir, "bundle.json"));
        Assert.False(bundle.RandomWeights);
        Assert.Equal("MAEwNorm", bundle.Stage1.Params.EncoderCls);
        Assert.Equal([32, 4, 4], bundle.Misc.LatentSize!);
        Assert.Equal("autoguidance", bundle.Guidance.Method);
        Assert.Equal("T-shirt/top", bundle.Misc.ClassNames![0]);
        using (var model = RaeModel.Load(bundle)) Assert.NotNull(model.GuidanceModel);

        (code, stdout, stderr) = await CliProcess.RunAsync(repo, Timeout, "train", "--recipe", recipe, "--out", bundleDir, "--work", work);
        Assert.True(code == 0, $"rerun: exit {code}\n{stdout}\n{stderr}");
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(stdout, "done earlier, skipped").Count);

        var outDir = Path.Combine(_dir, "generated");
        (code, stdout, stderr) = await CliProcess.RunAsync(repo, Timeout, "generate", "--bundle", bundleDir, "--local", // a bundle folder, as eval takes
            "--state", Path.Combine(_dir, "state"), "--classes", "0,9", "--per-class", "2", "--steps", "4", "--out", outDir);
        Assert.True(code == 0, $"generate: exit {code}\n{stdout}\n{stderr}");
        var pngs = Directory.GetFiles(outDir, "0*.png").Order().ToArray();
        Assert.Equal(4, pngs.Length);
        foreach (var png in pngs)
        {
            using var img = ImageIO.Load(png);
            Assert.Equal([3L, 28, 28], img.shape);
        }
    }

    [Fact]
    public async Task Ablate_trains_both_arms_and_saves_the_table()
    {
        var repo = GridCli.RepositoryRoot();
        var recipe = TinyRecipe(repo);
        var bundleDir = Path.Combine(_dir, "bundle");
        var (code, stdout, stderr) = await CliProcess.RunAsync(repo, Timeout, "train", "--recipe", recipe, "--out", bundleDir, "--work", Path.Combine(_dir, "work"));
        Assert.True(code == 0, $"train: exit {code}\n{stdout}\n{stderr}");

        var results = Path.Combine(_dir, "results");
        (code, stdout, stderr) = await CliProcess.RunAsync(repo, Timeout, "ablate", "head", "--recipe", recipe, "--bundle", bundleDir,
            "--work", Path.Combine(_dir, "ablations"), "--results", results);
        Assert.True(code == 0, $"ablate: exit {code}\n{stdout}\n{stderr}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(results, "head.json")));
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(["DiTwDDTHead", "LightningDiT"], rows.Select(r => r.GetProperty("model").GetString()));
        Assert.All(rows, r =>
        {
            Assert.Equal("head", r.GetProperty("ablation").GetString());
            Assert.True(double.IsFinite(r.GetProperty("fd").GetDouble()));
            Assert.InRange(r.GetProperty("probe_accuracy").GetDouble(), 0, 1);
        });
        Assert.Contains("| head | DiT^DH (with head)", File.ReadAllText(Path.Combine(results, "head.md")));
    }

    [Fact]
    public async Task A_recipe_with_a_bad_field_is_rejected_naming_the_field()
    {
        var repo = GridCli.RepositoryRoot();
        var path = Path.Combine(_dir, "bad.json");
        var r = JsonNode.Parse(File.ReadAllText(TinyRecipe(repo)))!.AsObject();
        r["decoder"]!["noise_tau"] = -1;
        File.WriteAllText(path, r.ToJsonString());
        var (code, stdout, stderr) = await CliProcess.RunAsync(repo, Timeout, "train", "--recipe", path, "--out", Path.Combine(_dir, "b"));
        Assert.Equal(1, code);
        Assert.Contains("decoder.noise_tau", stdout + stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "b")));
    }
}
