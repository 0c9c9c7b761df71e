using System.Diagnostics;
using System.Runtime.InteropServices;
using RAE.Grid.Grid.Tests.MultiProcess;

namespace RAE.Grid.Grid.Tests.Cli;

/// <summary>
/// A watching <c>rae-grid generate</c> (a real CLI process, embedded silo, a long job) stops promptly on SIGTERM: it
/// leaves the job as it is (not cancelled), says how to follow it and that an embedded job resumes on the next run
/// with the same state dir, and exits with 143 (128 + SIGTERM).
/// </summary>
public sealed class StopSignalTests : IDisposable
{
    /// <summary>How soon after SIGTERM the CLI must have exited.</summary>
    static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);
    readonly string _work = Directory.CreateTempSubdirectory("rae-grid-sigterm-cli-").FullName;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    const int SigTerm = 15;

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_watching_cli_stops_promptly_on_sigterm_leaving_the_job_to_resume()
    {
        var repo = GridCli.RepositoryRoot();
        var cli = await GridCli.EnsureBuiltAsync(repo, TimeSpan.FromMinutes(5));
        var state = Path.Combine(_work, "state");
        // 1000 Heun steps of 16 items on the tiny bundle: minutes of work, so the job is running when the signal comes.
        using var child = ChildProcess.Start("cli-generate", GridCli.DotnetHost(),
            [cli, "generate", "--bundle", "tiny", "--classes", "0,1", "--per-class", "8", "--steps", "1000", "--sampler", "heun",
             "--state", state, "--out", Path.Combine(_work, "out")], repo, new Dictionary<string, string?>());
        var accepted = Stopwatch.StartNew();
        while (!child.Output.Contains("Generate of 16 items"))
        {
            Assert.False(child.HasExited, "the CLI exited before its job was accepted\n" + child.Tail(40));
            Assert.True(accepted.Elapsed < TimeSpan.FromMinutes(3), "no job accepted within 3 minutes\n" + child.Tail(40));
            await Task.Delay(100);
        }
        var jobId = child.Output.Split("job ")[1].Split(':')[0];

        var signalled = Stopwatch.StartNew();
        Assert.Equal(0, Kill(child.Id, SigTerm));
        var code = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var took = signalled.Elapsed;

        Assert.True(code == 143, $"exit code {code?.ToString() ?? "none (still running after 60 s)"}\n{child.Tail(40)}");
        Assert.True(took < Prompt, $"took {took.TotalSeconds:F1} s to exit after SIGTERM\n{child.Tail(40)}");
        var said = string.Join(' ', child.Output.Split('\n').Select(l => l.Length > 11 ? l[11..] : l)); // drop the time stamps
        Assert.Contains($"stopped watching job {jobId}", said);
        Assert.Contains("the job was not cancelled", said);
        Assert.Contains("resumes on the next run with the same state dir", said);
        Assert.Contains($"rae-grid status {jobId} --state {state} --watch", said);
    }
}
