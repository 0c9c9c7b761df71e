using System.Collections.Concurrent;
using System.Net;
using System.Text;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grid.Tests.Cluster;

namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>
/// With Metrics:OtlpEndpoint set, a silo pushes its metrics and the item spans to the collector (OTLP over HTTP here:
/// a loopback listener stands where an OpenTelemetry Collector would, and keeps what it is sent).
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task A_silo_with_an_OTLP_endpoint_pushes_the_grid_metrics_and_the_items_spans()
    {
        var port = ObservedEndpoints.FreePort();
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try { ctx = await collector.GetContextAsync(); } catch (Exception) when (stop.IsCancellationRequested) { return; }
                using var body = new MemoryStream();
                await ctx.Request.InputStream.CopyToAsync(body);
                received.Enqueue((ctx.Request.Url!.AbsolutePath, body.ToArray()));
                ctx.Response.StatusCode = 200;
                ctx.Response.Close();
            }
        });

        using var folders = new GridTestFolders();
        var spec = new GridClusterSpec([StageNames.All])
        {
            Extra = new Dictionary<string, string?>
            {
                ["Metrics:OtlpEndpoint"] = $"http://127.0.0.1:{port}",
                ["Metrics:OtlpProtocol"] = "http/protobuf",
                ["Metrics:OtlpExportIntervalMs"] = "500",
            },
        };
        await using (var grid = await GridTestCluster.StartAsync(spec, folders))
        {
            var id = TestInputs.JobId("otlp");
            await grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(2)));
            var status = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
            Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));

            // OTLP protobuf carries names and attribute values as UTF-8: look for ours in what was pushed.
            bool Got(string path, params string[] texts) => received.Any(r => r.Path == path && texts.All(t => Contains(r.Body, t)));
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (!(Got("/v1/metrics", "raegrid_stage_items_total", "raegrid_stage_queue_wait_seconds")
                     && Got("/v1/traces", $"stage {StageNames.Encoder}/{GridTestFolders.BundleId}", id)))
            {
                Assert.True(DateTime.UtcNow < deadline,
                    $"the collector got {received.Count} posts ({string.Join(", ", received.Select(r => r.Path).Distinct())}) without the grid's metrics and this job's spans");
                await Task.Delay(200);
            }
        }
        stop.Cancel();
        collector.Stop();
        await serving;
    }

    static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
