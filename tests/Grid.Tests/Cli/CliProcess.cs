using System.Diagnostics;
using RAE.Grid.Grid.Tests.MultiProcess;

namespace RAE.Grid.Grid.Tests.Cli;

/// <summary>Runs the built <c>rae-grid</c> CLI as a separate process, as a user does.</summary>
internal static class CliProcess
{
    // stdout and stderr kept apart: --json promises that stdout holds the JSON object only.
    public static async Task<(int? Code, string Stdout, string Stderr)> RunAsync(string repo, TimeSpan timeout, params string[] args)
    {
        var cli = await GridCli.EnsureBuiltAsync(repo, TimeSpan.FromMinutes(5));
        var info = new ProcessStartInfo(GridCli.DotnetHost())
        {
            WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(cli);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (null, await stdout, await stderr + $"\n(killed after {timeout.TotalSeconds:0} s)");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
