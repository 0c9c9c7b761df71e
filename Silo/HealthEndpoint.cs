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
/// "stand_in" lists the hosted stages that are service-time stand-ins (Grid:StandIn, ms per batch): their outputs are
/// not model outputs. Probes: <c>/healthz/live</c> answers 200 while the process serves (liveness); <c>/healthz/ready</c>
/// answers 200 only when the silo is Active, its models are loaded and it is not draining, else 503 with a JSON body
/// naming what fails (<see cref="Readiness"/>).
/// </summary>
public sealed class HealthEndpoint(IOptions<HealthSettings> health, IOptions<GridOptions> grid, StageRuntime stages,
    IHostApplicationLifetime lifetime, ILogger<HealthEndpoint> log, Readiness readiness) : BackgroundService
{
    /// <summary>
    /// Returns at once and leaves the endpoint serving: hosted services stop in reverse order, so this one is asked to
    /// stop before the silo drains its stages, and a probe would then get "connection refused" instead of
    /// <c>/healthz/ready</c>'s 503 "not_draining" for the whole drain. The endpoint closes when the host has stopped.
    /// </summary>
    public override Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Closes the endpoint of a host disposed without a stop (ApplicationStopped never comes then).
    private readonly CancellationTokenSource _disposed = new();

    public override void Dispose()
    {
        _disposed.Cancel();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken _)
    {
        if (health.Value.Port <= 0) return;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopped, _disposed.Token);
        var stoppingToken = closing.Token;
        using var listener = await StartAsync(health.Value.Host, health.Value.Port, stoppingToken);
        log.LogInformation("Health endpoint on http://{Host}:{Port}/healthz", health.Value.Host, health.Value.Port);
        using var reg = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await listener.GetContextAsync(); }
            catch (Exception) when (stoppingToken.IsCancellationRequested) { break; }
            var stopping = lifetime.ApplicationStopping.IsCancellationRequested;
            var (code, body) = ctx.Request.Url?.AbsolutePath switch
            {
                "/healthz" => (stopping ? 503 : 200, Status(stopping)),
                "/healthz/live" => (200, JsonSerializer.SerializeToUtf8Bytes(new { status = "live" })),
                "/healthz/ready" => Ready(),
                _ => (404, JsonSerializer.SerializeToUtf8Bytes(new { status = "not found", endpoints = new[] { "/healthz", "/healthz/live", "/healthz/ready" } })),
            };
            ctx.Response.StatusCode = code;
            ctx.Response.ContentType = "application/json";
            // One request per connection: a probe's pooled keep-alive connection that this listener has dropped was
            // reset under the probe's next request (seen in CI as "Connection reset by peer").
            ctx.Response.KeepAlive = false;
            await ctx.Response.OutputStream.WriteAsync(body, stoppingToken);
            ctx.Response.Close();
        }
    }

    private byte[] Status(bool stopping) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            status = stopping ? "stopping" : "ok",
            stages = grid.Value.Stages,
            bundles = grid.Value.Bundles.Keys,
            device = grid.Value.Device,
            batching = stages.Statistics.ToDictionary(kv => kv.Key, kv => new { batches = kv.Value.Batches, items = kv.Value.Items }),
            stand_in = grid.Value.StandIn.Where(kv => grid.Value.Hosts(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value),
        });

    /// <summary>200 or 503, with every condition and the names of those that fail.</summary>
    private (int, byte[]) Ready()
    {
        var (ready, conditions) = readiness.Check();
        return (ready ? 200 : 503, JsonSerializer.SerializeToUtf8Bytes(new
        {
            status = ready ? "ready" : "not ready",
            failing = conditions.Where(c => !c.Value.Ok).Select(c => c.Key).ToArray(),
            conditions = conditions.ToDictionary(c => c.Key, c => new { ok = c.Value.Ok, detail = c.Value.Detail }),
        }));
    }

    /// <summary>
    /// Starts a listener on <paramref name="port"/>. The managed (Linux) HttpListener has a start-up race
    /// (dotnet/corefx#35191): a client connecting while <c>Start</c> runs makes it throw ArgumentNullException from
    /// <c>HttpEndPointListener.ProcessAccept</c>, and a failed Start disposes the listener — so retry with a fresh one.
    /// The half-built endpoint may keep the port until its socket is finalized, so a retry may first see the port in
    /// use: collect it and try again (a port that stays busy still fails after the last attempt).
    /// </summary>
    static async Task<HttpListener> StartAsync(string host, int port, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://{host}:{port}/");
            try { listener.Start(); return listener; }
            catch (Exception e) when (e is ArgumentNullException or HttpListenerException && attempt < 8)
            {
                ((IDisposable)listener).Dispose();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Task.Delay(50 * attempt, ct);
            }
        }
    }
}
