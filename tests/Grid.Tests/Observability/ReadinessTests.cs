using System.Text.Json;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grid.Tests.Cluster;

namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>
/// Liveness and readiness on a real silo's health endpoint with Grid:PreloadModels on: not ready (503, naming the
/// bundle) while a bundle's weights cannot be loaded, ready (200) once they are in place and loaded, not ready again
/// once its stages drain — live (200) throughout.
/// </summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_waits_for_preloaded_models_and_turns_503_when_draining_while_liveness_stays_200()
    {
        var port = ObservedEndpoints.FreePort();
        using var folders = new GridTestFolders();
        // A second bundle whose diffusion weights are not there yet (as if still being copied onto the volume).
        var late = Models.Bundles.Writers.RandomBundle.Create(Path.Combine(folders.Root, "late"), seed: 3);
        var weights = Path.Combine(folders.Root, "late", "dit", "model.safetensors");
        var aside = weights + ".copying";
        File.Move(weights, aside);
        var spec = new GridClusterSpec([StageNames.All])
        {
            Extra = new Dictionary<string, string?>
            {
                ["Health:Port"] = port.ToString(),
                ["Grid:PreloadModels"] = "true",
                ["Grid:Bundles:late"] = late,
            },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);

        Assert.Equal(200, (await ObservedEndpoints.GetAsync(port, "/healthz/live")).Status);
        // The silo is Active and not draining; only the models fail — and keep failing while the weights are missing.
        var notReady = await PollAsync(port, r => r.Status == 503 && Failing(r.Body).SequenceEqual(["models"]) && r.Body.Contains("late: "));
        Assert.Contains("\"active\":{\"ok\":true", notReady.Body);
        Assert.Equal(200, (await ObservedEndpoints.GetAsync(port, "/healthz")).Status); // the old probe is unchanged

        File.Move(aside, weights);
        var ready = await PollAsync(port, r => r.Status == 200);
        Assert.Empty(Failing(ready.Body));

        await grid.Stages(0).DrainAsync(TimeSpan.FromSeconds(30));
        var draining = await ObservedEndpoints.GetAsync(port, "/healthz/ready");
        Assert.Equal(503, draining.Status);
        Assert.Equal(["not_draining"], Failing(draining.Body));
        Assert.Equal(200, (await ObservedEndpoints.GetAsync(port, "/healthz/live")).Status);
    }

    static string[] Failing(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()!).ToArray();

    /// <summary>GETs /healthz/ready until <paramref name="until"/> holds (the preloader retries every second), failing after a minute.</summary>
    static async Task<(int Status, string Body)> PollAsync(int port, Func<(int Status, string Body), bool> until)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var r = await ObservedEndpoints.GetAsync(port, "/healthz/ready");
            if (until(r)) return r;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"/healthz/ready still answers {r.Status}: {r.Body}");
            await Task.Delay(100);
        }
    }
}
