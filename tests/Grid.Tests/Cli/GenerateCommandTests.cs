using RAE.Grid.Grains.Storage;
using System.Text.Json;
using RAE.Grid.Grid.Tests.MultiProcess;

namespace RAE.Grid.Grid.Tests.Cli;

/// <summary>
/// <c>rae-grid generate</c> as a user runs it (a separate CLI process, embedded silo, the default trained bundle whose
/// default guidance is AutoGuidance 1.5): the command sends only the sampling options typed, so the bundle's defaults
/// hold for the rest, and a misspelt option value is rejected before any job starts.
/// </summary>
public sealed class GenerateCommandTests : IDisposable
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);
    readonly string _work = Directory.CreateTempSubdirectory("rae-grid-generate-cli-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    async Task<(int? Code, string Stdout, string Stderr, string Out)> GenerateAsync(string name, params string[] options)
    {
        var outDir = Path.Combine(_work, name);
        string[] args = ["generate", "--seed", "3", "--classes", "1", "--per-class", "2", "--out", outDir,
            "--state", Path.Combine(_work, "state-" + name), .. options];
        var (code, stdout, stderr) = await CliProcess.RunAsync(GridCli.RepositoryRoot(), Timeout, args);
        return (code, stdout, stderr, outDir);
    }

    [Fact]
    public async Task Guidance_autoguidance_alone_writes_the_same_pngs_as_the_bundle_default()
    {
        var byDefault = await GenerateAsync("default");
        Assert.True(byDefault.Code == 0, $"exit {byDefault.Code}\n{byDefault.Stdout}\n{byDefault.Stderr}");
        var methodOnly = await GenerateAsync("autoguidance", "--guidance", "autoguidance");
        Assert.True(methodOnly.Code == 0, $"exit {methodOnly.Code}\n{methodOnly.Stdout}\n{methodOnly.Stderr}");

        foreach (var png in new[] { "00000_class1.png", "00001_class1.png" })
            Assert.True(OutputProvenance.Untagged(File.ReadAllBytes(Path.Combine(byDefault.Out, png))).AsSpan()
                    .SequenceEqual(OutputProvenance.Untagged(File.ReadAllBytes(Path.Combine(methodOnly.Out, png)))),
                $"{png} differs between `generate` and `generate --guidance autoguidance`");
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(methodOnly.Out, "manifest.json")));
        var settings = manifest.RootElement.GetProperty("settings");
        Assert.Equal(("autoguidance", 1.5), (settings.GetProperty("guidance").GetString(), settings.GetProperty("scale").GetDouble()));
    }

    [Fact]
    public async Task A_misspelt_sampler_is_rejected_before_the_job_starts_naming_the_field()
    {
        var run = await GenerateAsync("typo", "--sampler", "eulr");
        Assert.True(run.Code == 1, $"exit {run.Code}\n{run.Stdout}\n{run.Stderr}");
        var said = string.Join(' ', run.Stdout.Split('\n', StringSplitOptions.TrimEntries)); // the console wraps long lines
        Assert.Contains("sampler: 'eulr' is not one of euler, heun", said);
        Assert.DoesNotContain("Generate of", run.Stdout); // the line printed once a job is accepted
        Assert.False(Directory.Exists(run.Out) && Directory.EnumerateFiles(run.Out, "*.png").Any(), "a rejected job wrote images");
    }
}
