using System.Diagnostics;
using RAE.Grid.Models.Imaging;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// Inputs that stream: a folder of incompressible 256² PNGs (default 10,000, ~2 GB) reconstructed by a
/// <c>rae-grid reconstruct</c> client process against a separate <c>rae-grid serve</c> silo process (localhost
/// clustering, job state in local files, a local store, the default bundle), then the same images again from the store
/// (<c>--from-store</c>). Prints each run's time and the client's peak RSS (<c>/usr/bin/time</c>), and the silo's peak RSS
/// (its VmHWM before it stops). Needs the CLI built (<c>dotnet build</c>).
/// </summary>
public static class InputsBenchmark
{
    public static async Task RunAsync(BenchOptions o, string root)
    {
        Report.Header($"inputs: {o.InputImages:N0} incompressible 256² PNGs reconstructed from a folder, then from a store prefix (client and silo are separate processes)");
        var repo = Repository.Root();
        var cli = Path.Combine(repo, "Cli", "bin", "Release", "net10.0", "rae-grid.dll");
        if (!File.Exists(cli)) cli = Path.Combine(repo, "Cli", "bin", "Debug", "net10.0", "rae-grid.dll");
        if (!File.Exists(cli)) throw new FileNotFoundException("build the CLI first (dotnet build Cli)", cli);
        var bundle = o.Bundle ?? Repository.DefaultBundle();

        var folder = Directory.CreateDirectory(Path.Combine(root, "inputs")).FullName;
        var clock = Stopwatch.StartNew();
        long inputBytes = WriteNoisePngs(folder, o.InputImages, 256);
        Report.Line($"  wrote {o.InputImages:N0} PNGs, {inputBytes / 1e6:F0} MB, in {clock.Elapsed.TotalSeconds:F0} s");

        int siloPort = BenchSilo.FreePort(), gatewayPort = BenchSilo.FreePort(), healthPort = BenchSilo.FreePort();
        var env = new Dictionary<string, string>
        {
            ["RAEGRID_Cluster__Mode"] = "localhost", ["RAEGRID_Cluster__SiloPort"] = siloPort.ToString(),
            ["RAEGRID_Cluster__GatewayPort"] = gatewayPort.ToString(), ["RAEGRID_State__Kind"] = "local",
            ["RAEGRID_State__LocalPath"] = Path.Combine(root, "state"), ["RAEGRID_OutputStore__Kind"] = "local",
            ["RAEGRID_OutputStore__LocalPath"] = Path.Combine(root, "store"), ["RAEGRID_Grid__Bundles__bench"] = bundle,
            ["RAEGRID_Health__Port"] = healthPort.ToString(), ["RAEGRID_Logging__LogLevel__Default"] = "Warning",
        };
        using var silo = Start("dotnet", [cli, "serve"], root, env);
        await WaitHealthyAsync(healthPort, silo);

        var rows = new List<string[]>();
        foreach (var (what, args) in new[]
        {
            ("from a folder (upload)", new[] { "reconstruct", folder }),
            ("from the store (--from-store)", new[] { "reconstruct", "--from-store", "uploads/sha256/" }),
        })
        {
            var rss = Path.Combine(root, $"client-{rows.Count}.rss");
            var outDir = Path.Combine(root, $"out-{rows.Count}");
            clock.Restart();
            using var client = Start("/usr/bin/time", ["-f", "%M", "-o", rss, "dotnet", cli, .. args, "--bundle", "bench", "--cluster", "localhost",
                "--gateway-port", gatewayPort.ToString(), "--out", outDir], root, []);
            var output = await client.StandardOutput.ReadToEndAsync();
            await client.WaitForExitAsync();
            var seconds = clock.Elapsed.TotalSeconds;
            var outputs = Directory.Exists(outDir) ? Directory.EnumerateFiles(outDir, "*.png").Count(f => !f.EndsWith("contact-sheet.png")) : 0;
            if (client.ExitCode != 0) Report.Line($"  {what}: client exited {client.ExitCode}: {Tail(output)}");
            rows.Add([what, outputs.ToString("N0"), Report.F(seconds, 1), Report.F(outputs / seconds, 1),
                Report.F(long.Parse(File.ReadAllText(rss).Trim().Split('\n')[^1]) / 1024.0, 0), client.ExitCode.ToString()]);
        }
        var siloPeak = PeakRssMb(silo.Id);
        silo.Kill(entireProcessTree: true);
        Report.Table(["run", "outputs", "seconds", "images/s", "client peak RSS MB", "exit"], rows);
        Report.Line($"  silo peak RSS over both runs: {siloPeak:F0} MB; input {inputBytes / 1e6:F0} MB");
        Report.Line($"RATIO inputs: silo peak RSS ÷ input size = {Report.F(siloPeak * 1024 * 1024 / inputBytes, 3)}");
    }

    static long WriteNoisePngs(string folder, int count, int side)
    {
        var random = new Random(17);
        var pixels = new byte[side * side * 3];
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            random.NextBytes(pixels);
            using var image = ImageIO.FromHwcBytes(pixels, side, side);
            var png = ImageIO.EncodePng(image);
            File.WriteAllBytes(Path.Combine(folder, $"noise-{i:D5}.png"), png);
            total += png.Length;
        }
        return total;
    }

    static Process Start(string file, string[] args, string dir, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    static async Task WaitHealthyAsync(int port, Process silo)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var until = DateTime.UtcNow.AddMinutes(2); DateTime.UtcNow < until;)
        {
            if (silo.HasExited) throw new InvalidOperationException($"the silo exited with code {silo.ExitCode}");
            try { if ((await http.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode) return; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException("the silo's /healthz did not answer within 2 minutes");
    }

    /// <summary>VmHWM (peak resident set) of a running process, in MB.</summary>
    static double PeakRssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }

    static string Tail(string s) => s.Length > 2000 ? s[^2000..] : s;
}
