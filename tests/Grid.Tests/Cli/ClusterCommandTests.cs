using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RAE.Grid.Client;
using RAE.Grid.Grid.Tests.Cluster;
using RAE.Grid.Grid.Tests.MultiProcess;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Cli;

/// <summary>
/// <c>rae-grid cluster</c>, run as a separate process against a real silo process with a job in progress: it connects by gateway like
/// <c>status</c>, and its tables and its <c>--json</c> object show the silo, both stage replicas of a two-"device" silo
/// with their queues, and desired vs current replicas. Stages are service-time stand-ins (Grid:StandIn), slow enough
/// that the job is still running while the command reads the grid.
/// </summary>
public sealed class ClusterCommandTests(ITestOutputHelper output)
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task The_cluster_command_shows_silos_replicas_and_desired_replicas_during_a_job()
    {
        var repo = GridCli.RepositoryRoot();
        var cli = await GridCli.EnsureBuiltAsync(repo, Timeout);
        var work = Directory.CreateTempSubdirectory("rae-cluster-cli-").FullName;
        var ports = Ports.FreeLoopbackPorts(3);
        // A real silo process (localhost clustering) with two "devices" and stand-in stages: 400 items at 2 per half
        // second on two encoder replicas is about 50 s of work, far longer than the commands take.
        var env = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("RAEGRID_", StringComparison.OrdinalIgnoreCase)).ToDictionary(k => k, _ => (string?)null);
        foreach (var (k, v) in new Dictionary<string, string>
        {
            ["Cluster__Mode"] = "localhost", ["Cluster__SiloPort"] = ports[0].ToString(), ["Cluster__GatewayPort"] = ports[1].ToString(),
            ["Health__Port"] = ports[2].ToString(), ["State__Kind"] = "memory",
            ["OutputStore__Kind"] = "local", ["OutputStore__LocalPath"] = Path.Combine(work, "store"),
            ["Grid__Bundles__tiny"] = Path.Combine(repo, "bundles", "tiny", "bundle.json"),
            ["Grid__Stages__0"] = StageNames.Encoder, ["Grid__Stages__1"] = StageNames.Decoder,
            ["Grid__Devices__0"] = "cpu", ["Grid__Devices__1"] = "cpu",
            ["Grid__StandIn__encoder"] = "500", ["Grid__StandIn__decoder"] = "50",
            ["Grid__Batching__encoder__MaxBatch"] = "2", ["Grid__Batching__decoder__MaxBatch"] = "2",
            ["Grid__Pipeline__MaxInFlightItems"] = "24",
            ["Grid__Scaling__encoder__TargetQueueSeconds"] = "0.5",
        }) env["RAEGRID_" + k] = v;
        using var process = ChildProcess.Start("silo", GridCli.DotnetHost(), [cli, "serve"], work, env);
        try
        {
            var silo = new SiloProcess("silo", process, [StageNames.Encoder, StageNames.Decoder], ports[0], ports[1], ports[2]);
            using (var http = new HttpClient()) await silo.WaitHealthyAsync(http, TimeSpan.FromMinutes(2));
            using var host = await new GridConnection("localhost", ports[1]).ConnectAsync();
            var client = host.Services.GetRequiredService<IClusterClient>();
            var id = TestInputs.JobId("cluster-cli");
            var job = client.GetGrain<IJobGrain>(id);
            await job.Start(new JobRequest(JobKind.Reconstruct, "tiny", TestInputs.RandomPngs(400)));
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while ((await job.GetStatus()).Done < 4 && DateTime.UtcNow < deadline) await Task.Delay(200);

            string[] connect = ["--cluster", "localhost", "--gateway-port", ports[1].ToString()];
            var (code, tables, stderr) = await CliProcess.RunAsync(repo, Timeout, ["cluster", .. connect]);
            output.WriteLine(tables);
            Assert.True(code == 0, $"exit {code}\n{tables}\n{stderr}");
            Assert.Contains("stage replicas", tables);
            Assert.Contains("desired", tables);

            (code, var json, stderr) = await CliProcess.RunAsync(repo, Timeout, ["cluster", "--json", .. connect]);
            Assert.True(code == 0, $"exit {code}\n{json}\n{stderr}");
            var during = await job.GetStatus();
            Assert.True(during.State == JobState.Running, $"the job finished before the command read the grid: {GridTestCluster.Describe(during)}");
            await job.Cancel();

            var root = JsonDocument.Parse(json).RootElement;
            var report = Assert.Single(root.GetProperty("silos").EnumerateArray().ToList());
            Assert.Equal(["cpu", "cpu"], report.GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
            var encoders = report.GetProperty("replicas").EnumerateArray()
                .Where(r => r.GetProperty("stage").GetString() == StageNames.Encoder && r.GetProperty("bundle").GetString() == "tiny").ToList();
            Assert.Equal([0, 1], encoders.Select(r => r.GetProperty("replica").GetInt32()));
            Assert.All(encoders, r => Assert.True(r.GetProperty("items").GetInt64() > 0, $"encoder replica {r.GetProperty("replica")} ran nothing yet"));
            // The job keeps 24 items in flight against 4 encoder slots: the encoders have a backlog.
            var scaling = root.GetProperty("scaling").EnumerateArray()
                .Single(x => x.GetProperty("stage").GetString() == StageNames.Encoder && x.GetProperty("bundle").GetString() == "tiny");
            output.WriteLine($"encoder/tiny: current {scaling.GetProperty("currentReplicas")} desired {scaling.GetProperty("desiredReplicas")} backlog {scaling.GetProperty("backlog")}");
            Assert.Equal(2, scaling.GetProperty("currentReplicas").GetInt32());
            Assert.True(scaling.GetProperty("backlog").GetInt32() > 0, json);
            Assert.True(scaling.GetProperty("desiredReplicas").GetInt32() >= 1, json);
        }
        finally
        {
            process.Kill();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }
}
