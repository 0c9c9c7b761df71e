using System.Text.RegularExpressions;
using RAE.Grid.Grid.Tests.MultiProcess;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Dashboard;

/// <summary>
/// <c>rae-grid serve --dashboard</c> in a real process serves RAE.Grid's status page and the Orleans dashboard; a real
/// browser (headless Chromium) renders the page with the job a client ran and the silo's stage rows. The stages are
/// service-time stand-ins (Grid:StandIn) so the job takes seconds; the page reads the same grains either way.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class StatusPageTests(ITestOutputHelper output)
{
    static readonly TimeSpan BrowserTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Headless_chromium_renders_the_job_and_stage_rows_of_a_served_silo()
    {
        var repo = GridCli.RepositoryRoot();
        var cli = await GridCli.EnsureBuiltAsync(repo, TimeSpan.FromSeconds(150));
        var work = Directory.CreateTempSubdirectory("rae-dashboard-");
        var ports = Ports.FreeLoopbackPorts(4);
        var (siloPort, gatewayPort, healthPort, dashboardPort) = (ports[0], ports[1], ports[2], ports[3]);
        var env = new Dictionary<string, string?>
        {
            ["RAEGRID_Cluster__SiloPort"] = siloPort.ToString(),
            ["RAEGRID_Cluster__GatewayPort"] = gatewayPort.ToString(),
            ["RAEGRID_Health__Port"] = healthPort.ToString(),
            ["RAEGRID_Dashboard__Port"] = dashboardPort.ToString(),
            ["RAEGRID_Dashboard__RefreshSeconds"] = "0",
            ["RAEGRID_Grid__Bundles__tiny"] = Path.Combine(repo, "bundles", "tiny", "bundle.json"),
            ["RAEGRID_Grid__StandIn__diffusion"] = "50",
            ["RAEGRID_Grid__StandIn__decoder"] = "10",
            ["RAEGRID_Logging__Console__FormatterName"] = "simple",
            ["RAEGRID_Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
        using var silo = ChildProcess.Start("silo", GridCli.DotnetHost(), [cli, "serve", "--dashboard"], work.FullName, env);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await new SiloProcess("silo", silo, ["all"], siloPort, gatewayPort, healthPort).WaitHealthyAsync(http, TimeSpan.FromSeconds(90));

            using var client = ChildProcess.Start("client", GridCli.DotnetHost(),
                [cli, "generate", "--bundle", "tiny", "--classes", "1,2", "--per-class", "3", "--cluster", "localhost",
                 "--gateway-port", gatewayPort.ToString(), "--out", Path.Combine(work.FullName, "out")], work.FullName,
                new Dictionary<string, string?> { ["NO_COLOR"] = "1" });
            Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(120)));
            var job = Regex.Match(client.Output, @"\b(\d{8}-\d{6}-[0-9a-f]{8})\b").Groups[1].Value;
            Assert.False(string.IsNullOrEmpty(job), $"no job id in the client's output:\n{client.Output}");

            var url = $"http://127.0.0.1:{dashboardPort}/";
            var dom = await HeadlessChromium.DumpDomAsync(url, BrowserTimeout);
            output.WriteLine(dom);
            Assert.Matches($"<tr class=\"job\" data-job=\"{job}\" data-state=\"Completed\">", dom);
            Assert.Contains("<td>6</td>", dom); // done = total = 6
            // A generation job loads diffusion and decoder; the idle encoder is left out and counted.
            Assert.Contains("idle replica(s)", dom);
            Assert.DoesNotMatch("data-stage=\"encoder\"", dom);
            foreach (var stage in new[] { "diffusion", "decoder" })
                Assert.Matches($"<tr class=\"stage\" data-silo=\"[^\"]+\" data-stage=\"{stage}\" data-bundle=\"tiny\">", dom);
            Assert.Matches("<tr class=\"scaling\" data-stage=\"diffusion\" data-bundle=\"tiny\">", dom);
            Assert.DoesNotContain("class=\"problem\"", dom);

            var orleans = await HeadlessChromium.DumpDomAsync(url + "orleans/", BrowserTimeout);
            Assert.Contains("<title>Orleans Dashboard</title>", orleans);

            var png = Path.Combine(work.FullName, "status.png");
            await HeadlessChromium.ScreenshotAsync(url, png, BrowserTimeout);
            var bytes = await File.ReadAllBytesAsync(png);
            Assert.True(bytes.Length > 10_000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', $"screenshot {png}: {bytes.Length} bytes");
            // RAEGRID_TEST_SCREENSHOT=<file>: keep the screenshot (how docs/dashboard-status.png was made).
            if (Environment.GetEnvironmentVariable("RAEGRID_TEST_SCREENSHOT") is { Length: > 0 } keep) File.Copy(png, keep, overwrite: true);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new MultiProcessFailure(e.Message, silo.Tail(120), e);
        }
        finally
        {
            silo.Dispose();
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
