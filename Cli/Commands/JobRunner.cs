using System.Diagnostics;
using RAE.Grid.Contracts;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>Submits a job, shows a live progress bar while it runs, fetches its outputs and prints a summary.</summary>
internal static class JobRunner
{
    /// <summary>
    /// Exit codes: 0 all items done, 2 some items failed (the rest are stored), 1 the job could not run, 130/143 the
    /// watch was stopped by Ctrl-C/SIGTERM (<paramref name="cancellation"/>) while the job goes on in the grid.
    /// </summary>
    public static async Task<int> RunAsync(GridSession session, JobRequest request, string outDir, bool wait, IReadOnlyList<string> inputProblems,
        CancellationToken cancellation = default)
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
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, StopSignal.Take());
        status = await WatchAsync(session, status, stop.Token);
        if (!status.IsFinished && stop.IsCancellationRequested) return Stopped(session, status);
        var files = await session.Client.FetchAsync(status.JobId, outDir);
        Print(status, outDir, files.Count, sw.Elapsed);
        if (status.State is JobState.Failed or JobState.Cancelled) return 1;
        return status.Failed > 0 || inputProblems.Count > 0 ? 2 : 0;
    }

    /// <summary>A live progress bar until the job finishes or <paramref name="cancellation"/> is cancelled (then the last status seen).</summary>
    public static async Task<JobStatus> WatchAsync(GridSession session, JobStatus status, CancellationToken cancellation = default)
    {
        var final = status;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"{status.Kind.ToString().ToLowerInvariant()} {status.JobId}", maxValue: Math.Max(1, status.Total));
                try
                {
                    await foreach (var s in session.Client.WatchAsync(status.JobId, cancellation: cancellation))
                    {
                        task.Value = s.Done + s.Failed + s.Cancelled;
                        task.Description = s.State == JobState.Queued
                            ? $"{s.Kind.ToString().ToLowerInvariant()} {s.JobId}: queued (the grid runs its MaxConcurrentJobs)"
                            : $"{s.Kind.ToString().ToLowerInvariant()} {s.JobId}: {s.Done} done, {s.InFlight} running, {s.Failed} failed";
                        final = s;
                    }
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested) { }
                task.Value = final.Done + final.Failed + final.Cancelled;
            });
        return final;
    }

    /// <summary>
    /// Says that watching stopped (Ctrl-C/SIGTERM) while the job goes on, and how to follow it; returns 130 or 143. An
    /// embedded silo stops with this process, so its job pauses and resumes on the next run with the same state folder.
    /// </summary>
    public static int Stopped(GridSession session, JobStatus s)
    {
        var id = s.JobId;
        var state = session.StateDir is { } dir ? $" --state {dir}" : "";
        Console.Out.WriteLine($"stopped watching job {id} ({s.Done} done, {s.Failed} failed of {s.Total}); the job was not cancelled.");
        Console.Out.WriteLine(session.Embedded
            ? $"It ran on this process's embedded silo, so it pauses now and resumes on the next run with the same state dir: `rae-grid status {id}{state} --watch`, then `rae-grid fetch {id}{state} --out <dir>`."
            : $"It keeps running in the cluster: follow it with `rae-grid status {id} --watch` and get its outputs with `rae-grid fetch {id} --out <dir>`.");
        Console.Out.Flush();
        return StopSignal.ExitCode;
    }

    public static void Print(JobStatus s, string outDir, int files, TimeSpan elapsed)
    {
        foreach (var e in s.Errors) AnsiConsole.MarkupLineInterpolated($"[red]item {e.Index} failed[/] {e.Message}");
        if (s.Failed > s.Errors.Length)
            AnsiConsole.MarkupLineInterpolated($"[red]... and {s.Failed - s.Errors.Length} more (`rae-grid status {s.JobId} --errors`, or the items/*.jsonl records)[/]");
        var color = s.State == JobState.Completed ? "green" : "yellow";
        AnsiConsole.MarkupLineInterpolated($"[{color}]{s.State}[/]: {s.Done} done, {s.Failed} failed, {s.Cancelled} cancelled of {s.Total} in {elapsed.TotalSeconds:F1} s");
        if (s.BestOf is { } b) AnsiConsole.MarkupLineInterpolated($"{b}");
        AnsiConsole.MarkupLineInterpolated($"{files} files in {Path.GetFullPath(outDir)} (contact sheet: {(s.ContactSheet is null ? "none" : "contact-sheet.png")}, manifest.json)");
        if (s.RandomWeights) AnsiConsole.MarkupLine(CommonOptions.RandomWeightsNotice);
    }
}
