using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using RAE.Grid.Client;
using RAE.Grid.Grid.Tests.MultiProcess;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// A grid of <c>rae-grid serve</c> processes on loopback, configured through RAEGRID_ variables as an operator would:
/// Redis membership and job state (a redis-server of its own on a free port, so every cluster starts empty), a local
/// output store folder shared by every silo, the same stages and settings on each silo, a /healthz port each. An
/// external client (this process) connects through Redis like <c>rae-grid --cluster redis --redis …</c>. Disposing
/// kills the silos, then Redis.
/// </summary>
public sealed class ServeCluster : IAsyncDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);

    /// <summary>One silo process and its /healthz port.</summary>
    public sealed record Silo(string Name, ChildProcess Process, int HealthPort);

    readonly RedisServer _redis;
    readonly IHost _client;
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    ServeCluster(RedisServer redis, IReadOnlyList<Silo> silos, IHost client, string store)
    {
        _redis = redis; Silos = silos; _client = client; StorePath = store;
        Grid = new GridClient(client.Services.GetRequiredService<IClusterClient>());
    }

    public IReadOnlyList<Silo> Silos { get; }
    public GridClient Grid { get; }
    /// <summary>The output store folder every silo writes to.</summary>
    public string StorePath { get; }

    /// <summary>
    /// Starts Redis and <paramref name="count"/> silos (all at once), waits until every /healthz answers, connects a
    /// client and waits until the cluster lists every silo as active. <paramref name="settings"/> are the silos' settings
    /// (configuration keys, e.g. <c>Grid:StandIn:diffusion</c>), the same on each.
    /// </summary>
    public static async Task<ServeCluster> StartAsync(string cli, string root, int count, IReadOnlyDictionary<string, string> settings)
    {
        var redis = await Task.Run(() => new RedisServer());
        var silos = new List<Silo>();
        try
        {
            var store = Directory.CreateDirectory(Path.Combine(root, "store")).FullName;
            var ports = Ports.FreeLoopbackPorts(3 * count);
            for (int i = 0; i < count; i++)
            {
                // This process's RAEGRID_ variables (a developer's shell may have some) must not leak into the silos.
                var env = Environment.GetEnvironmentVariables().Keys.Cast<string>()
                    .Where(k => k.StartsWith("RAEGRID_", StringComparison.OrdinalIgnoreCase)).ToDictionary(k => k, _ => (string?)null);
                void Set(string key, string value) => env["RAEGRID_" + key.Replace(":", "__")] = value;
                Set("Cluster:Mode", "redis");
                Set("Cluster:Redis", redis.ConnectionString);
                Set("Cluster:SiloPort", ports[3 * i].ToString());
                Set("Cluster:GatewayPort", ports[3 * i + 1].ToString());
                Set("Health:Port", ports[3 * i + 2].ToString());
                Set("State:Kind", "redis");
                Set("OutputStore:Kind", "local");
                Set("OutputStore:LocalPath", store);
                // Warnings and errors only (the benchmark reports them); one line each.
                Set("Logging:LogLevel:Default", "Warning");
                Set("Logging:Console:FormatterName", "simple");
                Set("Logging:Console:FormatterOptions:SingleLine", "true");
                foreach (var (key, value) in settings) Set(key, value);
                var name = $"silo-{i + 1}";
                var dir = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
                silos.Add(new Silo(name, ChildProcess.Start(name, GridCli.DotnetHost(), [cli, "serve"], dir, env), ports[3 * i + 2]));
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            await Task.WhenAll(silos.Select(s => WaitHealthyAsync(http, s)));
            var client = await ConnectAsync(redis.ConnectionString, count);
            return new ServeCluster(redis, silos, client, store);
        }
        catch (Exception e)
        {
            var tails = string.Join("\n", silos.Select(s => s.Process.Tail(30)));
            foreach (var s in silos) s.Process.Dispose();
            redis.Dispose();
            throw new InvalidOperationException($"the {count}-silo cluster did not start: {e.Message}\n{tails}", e);
        }
    }

    static async Task WaitHealthyAsync(HttpClient http, Silo silo)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < StartTimeout)
        {
            if (silo.Process.HasExited) throw new InvalidOperationException($"{silo.Name} exited with code {silo.Process.ExitCode} while starting");
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{silo.HealthPort}/healthz");
                if ((int)response.StatusCode == 200) return;
                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { last = e.Message; }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{silo.Name}'s /healthz did not answer 200 within {StartTimeout.TotalSeconds:0} s (last: {last})");
    }

    // A client through Redis membership (as `rae-grid --cluster redis --redis ...`), once the cluster lists every silo as active.
    static async Task<IHost> ConnectAsync(string redis, int silos)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            IHost? host = null;
            try
            {
                host = await new GridConnection("redis", Redis: redis).ConnectAsync();
                var management = host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
                while (clock.Elapsed < StartTimeout)
                {
                    var active = (await management.GetHosts(onlyActive: true)).Count(h => h.Value == SiloStatus.Active);
                    if (active == silos) return host;
                    await Task.Delay(250);
                }
                throw new TimeoutException($"the cluster did not list {silos} active silos within {StartTimeout.TotalSeconds:0} s");
            }
            catch (Exception e) when (e is not TimeoutException && clock.Elapsed < StartTimeout)
            {
                // No gateway in the membership table yet: the client fails to start; try again.
                if (host is not null) await StopAsync(host);
                await Task.Delay(500);
            }
        }
    }

    /// <summary>A silo's /healthz batching statistics: "stage/bundle" → (batches, items) run so far.</summary>
    public async Task<Dictionary<string, (long Batches, long Items)>> BatchingAsync(Silo silo)
    {
        using var response = await _http.GetAsync($"http://127.0.0.1:{silo.HealthPort}/healthz");
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return doc.RootElement.GetProperty("batching").EnumerateObject().ToDictionary(p => p.Name,
            p => (p.Value.GetProperty("batches").GetInt64(), p.Value.GetProperty("items").GetInt64()));
    }

    /// <summary>Every silo's batching statistics, in silo order.</summary>
    public Task<Dictionary<string, (long Batches, long Items)>[]> AllBatchingAsync() => Task.WhenAll(Silos.Select(BatchingAsync));

    /// <summary>
    /// Warning and error lines the silos logged (each silo logs at Warning and above), per silo, less the expected
    /// notes: Orleans' ServerGC advice, the grid's notice that a stage is a STAND-IN, and the watchdog's first check after
    /// start, which reports the machine's uptime as the time since the last check (minutes or hours: an artifact, not a stall).
    /// </summary>
    public IEnumerable<(string Silo, string[] Lines)> LoggedProblems() =>
        Silos.Select(s => (s.Name, s.Process.Output.Split('\n')
            .Where(l => l.Contains("warn:") || l.Contains("fail:") || l.Contains("crit:") || l.Contains("Exception"))
            .Where(l => !l.Contains("ServerGC") && !l.Contains("is a STAND-IN") && !IsWatchdogStartArtifact(l)).ToArray()));

    static readonly System.Text.RegularExpressions.Regex WatchdogCheck = new(@"Participant check thread has not completed for ([0-9.:]+)");

    static bool IsWatchdogStartArtifact(string line) =>
        WatchdogCheck.Match(line) is { Success: true } m && TimeSpan.TryParse(m.Groups[1].Value.TrimEnd('.', ','), out var t) && t > TimeSpan.FromMinutes(10);

    static async Task StopAsync(IHost host)
    {
        try { await host.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
        host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_client);
        Parallel.ForEach(Silos, s => s.Process.Dispose());
        _redis.Dispose();
        _http.Dispose();
    }
}
