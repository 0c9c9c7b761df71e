using System.Diagnostics;

namespace RAE.Grid.Grid.Tests.Dashboard;

/// <summary>
/// Debian's <c>chromium</c> (installed by .ci/run) run headless: the DOM a page renders, and a screenshot. Each call is a
/// fresh browser process with its own profile folder, killed if it outlives its timeout.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>The browser executable on PATH; an exception saying how to get one when there is none.</summary>
    public static string Executable() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null)
        ?? throw new InvalidOperationException("no chromium on PATH: install Debian's chromium (`apt-get install chromium`; .ci/run does)");

    /// <summary>The DOM of <paramref name="url"/> after it has loaded (and run its scripts for <paramref name="scriptMs"/>).</summary>
    public static Task<string> DumpDomAsync(string url, TimeSpan timeout, int scriptMs = 2000) =>
        RunAsync(timeout, $"--virtual-time-budget={scriptMs}", "--dump-dom", url);

    /// <summary>Writes a PNG of <paramref name="url"/> at <paramref name="width"/>×<paramref name="height"/> to <paramref name="png"/>.</summary>
    public static Task ScreenshotAsync(string url, string png, TimeSpan timeout, int width = 1400, int height = 900) =>
        RunAsync(timeout, "--hide-scrollbars", $"--window-size={width},{height}", $"--screenshot={png}", url);

    static async Task<string> RunAsync(TimeSpan timeout, params string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("rae-chromium-");
        var info = new ProcessStartInfo(Executable()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile.FullName}" }.Concat(args))
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s");
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { }
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"chromium {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
