using System.Diagnostics;
using System.Text.Json;
using RAE.Grid.Grid.Tests.MultiProcess;

namespace RAE.Grid.Grid.Tests.Cli;

/// <summary>
/// <c>rae-grid eval</c> as a user runs it: a separate CLI process on the shipped random tiny bundle (256² images, so
/// the 28² Fashion-MNIST images are resized) with a few dozen real Fashion-MNIST images (.ci/run installs them).
/// </summary>
public sealed class EvalCommandTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);
    const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    [Fact]
    public async Task Eval_json_prints_one_object_with_the_four_metrics()
    {
        var repo = GridCli.RepositoryRoot();
        var (code, stdout, stderr) = await RunAsync(repo, "eval", "--json", "--bundle", Path.Combine(repo, "bundles", "tiny"),
            "--data", FashionMnist, "--recon", "8", "--samples", "32", "--batch-size", "32", "--steps", "2", "--seed", "1");
        Assert.True(code == 0, $"exit code {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");

        using var doc = JsonDocument.Parse(stdout); // throws unless stdout is exactly one JSON value
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        foreach (var key in new[] { "psnr", "ssim", "fd", "probe_accuracy", "fd_real", "probe_test_accuracy" })
            Assert.True(root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number, $"'{key}' missing or not a number in {stdout}");
        Assert.Equal(32, root.GetProperty("samples").GetInt32());
        Assert.Equal(8, root.GetProperty("recon_images").GetInt32());
        Assert.InRange(root.GetProperty("probe_accuracy").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("ssim").GetDouble(), -1, 1);
        Assert.True(root.GetProperty("fd").GetDouble() >= -1e-6);
    }

    [Fact]
    public async Task Eval_best_of_json_prints_one_row_per_n_with_consistent_counts()
    {
        var repo = GridCli.RepositoryRoot();
        var (code, stdout, stderr) = await RunAsync(repo, "eval", "--json", "--best-of", "1,3", "--keep", "1", "--groups", "2",
            "--steps", "2", "--batch-size", "8", "--classifier-images", "300", "--classifier-epochs", "1", "--data", FashionMnist);
        Assert.True(code == 0, $"exit code {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");

        using var doc = JsonDocument.Parse(stdout);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal([1, 3], rows.Select(r => r.GetProperty("n").GetInt32()));
        foreach (var r in rows)
        {
            Assert.Equal(2, r.GetProperty("kept_images").GetInt32());
            Assert.Equal(2 * (r.GetProperty("n").GetInt32() - 1), r.GetProperty("decodes_saved").GetInt32());
            Assert.Equal(6, r.GetProperty("candidates_sampled").GetInt32());
            Assert.Equal("probe", r.GetProperty("verifier").GetProperty("name").GetString());
            foreach (var key in new[] { "classifier_accuracy_plain", "classifier_accuracy_best_of_n", "classifier_accuracy_real_test" })
                Assert.InRange(r.GetProperty(key).GetDouble(), 0, 1);
            Assert.True(r.GetProperty("fd_plain").GetDouble() >= 0 && r.GetProperty("fd_best_of_n").GetDouble() >= 0);
        }
        Assert.Contains("pixel classifier", stderr);
    }

    [Fact]
    public async Task Eval_of_a_text_to_image_bundle_prints_prompt_following_and_the_whole_table()
    {
        var repo = GridCli.RepositoryRoot();
        var dir = Directory.CreateTempSubdirectory("rae-cli-t2i").FullName;
        try
        {
            var (code, stdout, stderr) = await RunAsync(repo, "bundle", "random", "--stage1", Path.Combine(repo, "bundles", "fashion-mnist"), "--out", dir);
            Assert.True(code == 0, $"bundle random: exit code {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
            (code, stdout, stderr) = await RunAsync(repo, "eval", "--json", "--bundle", dir, "--best-of", "2", "--keep", "1", "--groups", "2",
                "--verifier", "probe", "--steps", "2", "--batch-size", "8", "--classifier-images", "300", "--classifier-epochs", "1", "--data", FashionMnist);
            Assert.True(code == 0, $"exit code {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");

            using var doc = JsonDocument.Parse(stdout);
            var root = doc.RootElement;
            foreach (var key in new[] { "prompt_accuracy_plain", "prompt_accuracy_best_of_n", "prompt_accuracy_heldout_templates", "prompt_accuracy_heldout_templates_plain",
                "prompt_accuracy_heldout_words", "prompt_accuracy_heldout_words_plain" })
                Assert.InRange(root.GetProperty(key).GetDouble(), 0, 1);
            Assert.True(root.GetProperty("fd").GetDouble() >= 0);
            Assert.Equal(2, root.GetProperty("decodes_saved").GetInt32()); // groups × (N − k)
            Assert.Equal("probe", root.GetProperty("verifier").GetString());
            var rows = root.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal(["seen/none/1", "seen/probe/2", "held-out-templates/none/1", "held-out-templates/probe/2", "held-out/none/1", "held-out/probe/2"],
                rows.Select(r => $"{r.GetProperty("split").GetString()}/{r.GetProperty("verifier").GetString()}/{r.GetProperty("n").GetInt32()}"));
            Assert.All(rows, r => Assert.Equal(2, r.GetProperty("kept_images").GetInt32()));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Eval_names_a_missing_dataset_and_a_missing_bundle()
    {
        var repo = GridCli.RepositoryRoot();
        var missingData = Path.Combine(Path.GetTempPath(), $"no-such-dataset-{Guid.NewGuid():N}");
        var (code, stdout, stderr) = await RunAsync(repo, "eval", "--json", "--data", missingData, "--samples", "4", "--recon", "0");
        Assert.Equal(1, code);
        Assert.Equal("", stdout.Trim());
        Assert.Contains(missingData, stderr);

        var missingBundle = Path.Combine(Path.GetTempPath(), $"no-such-bundle-{Guid.NewGuid():N}");
        (code, stdout, stderr) = await RunAsync(repo, "eval", "--json", "--bundle", missingBundle);
        Assert.Equal(1, code);
        Assert.Equal("", stdout.Trim());
        Assert.Contains(missingBundle, stderr);
    }

    static Task<(int? Code, string Stdout, string Stderr)> RunAsync(string repo, params string[] args) =>
        CliProcess.RunAsync(repo, Timeout, args);
}
