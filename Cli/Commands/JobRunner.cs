using System.Diagnostics;
using RAE.Grid.Contracts;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>Submits a job, shows a live progress bar while it runs, fetches its outputs and prints a summary.</summary>
internal static class JobRunner
{
    /// <summary>Exit codes: 0 all items done, 2 some items failed (the rest are stored), 1 the job could not run.</summary>
    public static async Task<int> RunAsync(GridSession session, JobRequest request, string outDir, bool wait, IReadOnlyList<string> inputProblems)
    {
        var sw = Stopwatch.StartNew();
        foreach (var p in inputProblems) AnsiConsole.MarkupLineInterpolated($"[red]skipped[/] {p}");
        var status = await session.Client.SubmitAsync(request);
        AnsiConsole.MarkupLineInterpolated($"job [bold]{status.JobId}[/]: {status.Kind} of {status.Total} items with bundle {request.BundleId}");
        if (status.RandomWeights) AnsiConsole.MarkupLine(CommonOptions.RandomWeightsNotice);
        if (!wait)
        {
            AnsiConsole.MarkupLineInterpolated($"submitted; follow it with `rae-grid status {status.JobId}` and `rae-grid fetch {status.JobId}`");
            return 0;
        }
        status = await WatchAsync(session, status);
        var files = await session.Client.FetchAsync(status.JobId, outDir);
        Print(status, outDir, files.Count, sw.Elapsed);
        if (status.State is JobState.Failed or JobState.Cancelled) return 1;
        return status.Failed > 0 || inputProblems.Count > 0 ? 2 : 0;
    }

    /// <summary>A live progress bar until the job finishes.</summary>
    public static async Task<JobStatus> WatchAsync(GridSession session, JobStatus status)
    {
        var final = status;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"{status.Kind.ToString().ToLowerInvariant()} {status.JobId}", maxValue: Math.Max(1, status.Total));
                await foreach (var s in session.Client.WatchAsync(status.JobId))
                {
                    task.Value = s.Done + s.Failed + s.Cancelled;
                    task.Description = $"{s.Kind.ToString().ToLowerInvariant()} {s.JobId}: {s.Done} done, {s.InFlight} running, {s.Failed} failed";
                    final = s;
                }
                task.Value = final.Done + final.Failed + final.Cancelled;
            });
        return final;
    }

    public static void Print(JobStatus s, string outDir, int files, TimeSpan elapsed)
    {
        foreach (var e in s.Errors) AnsiConsole.MarkupLineInterpolated($"[red]item {e.Index} failed[/] {e.Message}");
        if (s.Failed > s.Errors.Length)
            AnsiConsole.MarkupLineInterpolated($"[red]... and {s.Failed - s.Errors.Length} more (`rae-grid status {s.JobId} --errors`, or the items/*.jsonl records)[/]");
        var color = s.State == JobState.Completed ? "green" : "yellow";
        AnsiConsole.MarkupLineInterpolated($"[{color}]{s.State}[/]: {s.Done} done, {s.Failed} failed, {s.Cancelled} cancelled of {s.Total} in {elapsed.TotalSeconds:F1} s");
        AnsiConsole.MarkupLineInterpolated($"{files} files in {Path.GetFullPath(outDir)} (contact sheet: {(s.ContactSheet is null ? "none" : "contact-sheet.png")}, manifest.json)");
        if (s.RandomWeights) AnsiConsole.MarkupLine(CommonOptions.RandomWeightsNotice);
    }
}
