using System.Diagnostics;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>One <c>rae-grid serve</c> process of a test cluster and its ports.</summary>
public sealed record SiloProcess(string Name, ChildProcess Process, string[] Stages, int SiloPort, int GatewayPort, int HealthPort)
{
    /// <summary>Waits until the silo's <c>/healthz</c> answers 200; throws when it exits first or <paramref name="timeout"/> passes.</summary>
    public async Task WaitHealthyAsync(HttpClient http, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < timeout)
        {
            if (Process.HasExited) throw new InvalidOperationException($"{Name} exited with code {Process.ExitCode} while starting");
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{HealthPort}/healthz");
                if ((int)response.StatusCode == 200) return;
                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { last = e.Message; }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{Name}'s /healthz (port {HealthPort}) did not answer 200 within {timeout.TotalSeconds:0} s (last: {last})");
    }
}
