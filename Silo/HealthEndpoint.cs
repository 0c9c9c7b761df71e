using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;

namespace RAE.Grid.Silo;

/// <summary>
/// GET http://127.0.0.1:&lt;Health.Port&gt;/healthz → 200 with the silo's stages, bundles and batching statistics while it
/// runs, 503 once it is stopping. Local only (no grain calls), so it answers even when the cluster is unhealthy.
/// </summary>
public sealed class HealthEndpoint(IOptions<HealthSettings> health, IOptions<GridOptions> grid, StageRuntime stages,
    IHostApplicationLifetime lifetime, ILogger<HealthEndpoint> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (health.Value.Port <= 0) return;
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{health.Value.Port}/");
        listener.Start();
        log.LogInformation("Health endpoint on http://127.0.0.1:{Port}/healthz", health.Value.Port);
        using var reg = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await listener.GetContextAsync(); }
            catch (Exception) when (stoppingToken.IsCancellationRequested) { break; }
            var stopping = lifetime.ApplicationStopping.IsCancellationRequested;
            var body = JsonSerializer.SerializeToUtf8Bytes(new
            {
                status = stopping ? "stopping" : "ok",
                stages = grid.Value.Stages,
                bundles = grid.Value.Bundles.Keys,
                device = grid.Value.Device,
                batching = stages.Statistics.ToDictionary(kv => kv.Key, kv => new { batches = kv.Value.Batches, items = kv.Value.Items }),
            });
            ctx.Response.StatusCode = ctx.Request.Url?.AbsolutePath == "/healthz" ? (stopping ? 503 : 200) : 404;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.OutputStream.WriteAsync(body, stoppingToken);
            ctx.Response.Close();
        }
    }
}
