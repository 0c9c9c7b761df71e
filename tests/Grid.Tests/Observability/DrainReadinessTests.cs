using System.Diagnostics;
using RAE.Grid.Grid.Tests.MultiProcess;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>
/// A real <c>rae-grid serve</c> process that gets SIGTERM while a batch runs keeps answering <c>/healthz/ready</c> with
/// 503 "not_draining" for the whole drain, as Kubernetes expects of a pod taken out of service, instead of closing its
/// health port first. The stage is a service-time stand-in (6 s per batch), so the drain lasts seconds.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class DrainReadinessTests(ITestOutputHelper output)
{
    const int BatchMs = 6000;

    [Fact]
    public async Task A_draining_silo_answers_not_ready_until_it_has_stopped()
    {
        var repo = GridCli.RepositoryRoot();
        var cli = await GridCli.EnsureBuiltAsync(repo, TimeSpan.FromSeconds(150));
        var work = Directory.CreateTempSubdirectory("rae-drain-");
        var ports = Ports.FreeLoopbackPorts(3);
        var env = new Dictionary<string, string?>
        {
            ["RAEGRID_Cluster__SiloPort"] = ports[0].ToString(),
            ["RAEGRID_Cluster__GatewayPort"] = ports[1].ToString(),
            ["RAEGRID_Health__Port"] = ports[2].ToString(),
            ["RAEGRID_Grid__Bundles__tiny"] = Path.Combine(repo, "bundles", "tiny", "bundle.json"),
            ["RAEGRID_Grid__StandIn__diffusion"] = BatchMs.ToString(),
            ["RAEGRID_Grid__StandIn__decoder"] = "10",
            ["RAEGRID_Logging__Console__FormatterName"] = "simple",
            ["RAEGRID_Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
        using var silo = ChildProcess.Start("silo", GridCli.DotnetHost(), [cli, "serve"], work.FullName, env);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await new SiloProcess("silo", silo, ["all"], ports[0], ports[1], ports[2]).WaitHealthyAsync(http, TimeSpan.FromSeconds(90));
            using var client = ChildProcess.Start("client", GridCli.DotnetHost(),
                [cli, "generate", "--bundle", "tiny", "--classes", "1", "--per-class", "4", "--cluster", "localhost",
                 "--gateway-port", ports[1].ToString(), "--no-wait"], work.FullName, new Dictionary<string, string?> { ["NO_COLOR"] = "1" });
            Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(90)));
            // The stand-in stage logs when it starts, i.e. when the job's first batch reaches it.
            var until = Stopwatch.StartNew();
            while (!silo.Output.Contains("is a STAND-IN") && until.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(100);
            Assert.Contains("is a STAND-IN", silo.Output);

            var signalled = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", silo.Id.ToString()])) await kill.WaitForExitAsync();
            var answers = new List<(double At, string Answer)>();
            while (!silo.HasExited && signalled.Elapsed < TimeSpan.FromSeconds(60))
            {
                string answer;
                try
                {
                    using var r = await http.GetAsync($"http://127.0.0.1:{ports[2]}/healthz/ready");
                    answer = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { answer = "no answer: " + e.Message; }
                answers.Add((signalled.Elapsed.TotalSeconds, answer));
                await Task.Delay(100);
            }
            var exitedAfter = signalled.Elapsed.TotalSeconds;
            var notReady = answers.Where(a => a.Answer.StartsWith("503") && a.Answer.Contains("not_draining")).ToList();
            output.WriteLine($"exited {exitedAfter:F1} s after SIGTERM; {answers.Count} probes, {notReady.Count} answered 503 not_draining, " +
                             $"the last at {(notReady.Count > 0 ? notReady[^1].At : 0):F1} s; first other answer: " +
                             (answers.FirstOrDefault(a => !notReady.Contains(a)).Answer ?? "none"));
            Assert.True(silo.HasExited, "the silo did not exit within 60 s of SIGTERM");
            // The drain waits out the running batch (seconds): readiness must say "not ready" through it, not go silent.
            Assert.True(notReady.Count > 0 && notReady[^1].At > 1.0,
                $"no 503 not_draining answer a second or more into the drain:\n{string.Join('\n', answers.Select(a => $"{a.At:F2} s {a.Answer}"))}");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new MultiProcessFailure(e.Message, silo.Tail(80), e);
        }
        finally
        {
            silo.Dispose();
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
