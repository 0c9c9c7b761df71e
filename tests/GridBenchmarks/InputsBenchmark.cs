using System.Diagnostics;
using StbImageWriteSharp;

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

        // The baseline: the same runs on a tenth of the images, each size on a fresh silo; bounded memory means the
        // peaks do not grow with the folder.
        var baseline = Math.Max(1, o.InputImages / 10);
        var rows = new List<string[]>();
        var peaks = new List<(int Images, double Client, double Silo)>();
        foreach (var images in new[] { baseline, o.InputImages })
        {
            var (runRows, clientPeak, siloPeak) = await RunSizeAsync(images, cli, bundle, Directory.CreateDirectory(Path.Combine(root, $"inputs-{images}")).FullName);
            rows.AddRange(runRows);
            peaks.Add((images, clientPeak, siloPeak));
        }
        Report.Table(["images", "input MB", "run", "outputs", "seconds", "images/s", "client peak RSS MB", "silo peak RSS MB", "exit"], rows);
        Report.Line($"RATIO inputs: client peak RSS at {peaks[1].Images:N0} images ÷ at {peaks[0].Images:N0} = {Report.F(peaks[1].Client / peaks[0].Client, 2)}; " +
                    $"silo {Report.F(peaks[1].Silo / peaks[0].Silo, 2)} (target: both under 600 MB)");
    }

    /// <summary>Both runs on <paramref name="count"/> images with a fresh silo; the silo's peak is over both runs.</summary>
    static async Task<(List<string[]> Rows, double ClientPeak, double SiloPeak)> RunSizeAsync(int count, string cli, string bundle, string root)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, "inputs")).FullName;
        var clock = Stopwatch.StartNew();
        long inputBytes = WriteNoisePngs(folder, count, 256);
        Report.Line($"  wrote {count:N0} PNGs, {inputBytes / 1e6:F0} MB, in {clock.Elapsed.TotalSeconds:F0} s");

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
        double clientPeak = 0;
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
            var peak = long.Parse(File.ReadAllText(rss).Trim().Split('\n')[^1]) / 1024.0;
            clientPeak = Math.Max(clientPeak, peak);
            rows.Add([count.ToString("N0"), Report.F(inputBytes / 1e6, 0), what, outputs.ToString("N0"), Report.F(seconds, 1), Report.F(outputs / seconds, 1),
                Report.F(peak, 0), "", client.ExitCode.ToString()]);
        }
        var siloPeak = PeakRssMb(silo.Id);
        silo.Kill(entireProcessTree: true);
        foreach (var row in rows) row[7] = Report.F(siloPeak, 0);
        return (rows, clientPeak, siloPeak);
    }

    static long WriteNoisePngs(string folder, int count, int side)
    {
        var random = new Random(17);
        var pixels = new byte[side * side * 3];
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            random.NextBytes(pixels);
            using var file = File.Create(Path.Combine(folder, $"noise-{i:D5}.png"));
            new ImageWriter().WritePng(pixels, side, side, ColorComponents.RedGreenBlue, file);
            total += file.Length;
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
