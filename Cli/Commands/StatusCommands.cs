using System.CommandLine;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary><c>status [job]</c> and <c>fetch job</c>.</summary>
internal static class StatusCommands
{
    public static Command Status()
    {
        var job = new Argument<string?>("job") { Description = "Job id (omit to list jobs)", Arity = ArgumentArity.ZeroOrOne };
        var watch = new Option<bool>("--watch") { Description = "Show a live progress bar until the job finishes" };
        var errors = new Option<bool>("--errors") { Description = "List every failed item (read a page at a time), not only the first" };
        var conn = new ConnectionOptions();
        var cmd = new Command("status", "Show a job's progress and errors, or list jobs") { job, watch, errors };
        conn.AddTo(cmd);
        cmd.SetAction((pr, ct) => CommonOptions.Guard(async () =>
        {
            await using var session = await conn.OpenAsync(pr, CommonOptions.DefaultBundleId);
            var id = pr.GetValue(job);
            if (id is null)
            {
                var table = new Table().AddColumns("job", "kind", "state", "done", "failed", "total", "created");
                await foreach (var j in session.Client.ListJobsAsync(ct))
                {
                    var s = await session.Client.GetStatusAsync(j);
                    table.AddRow(j, s.Kind.ToString(), s.State.ToString(), s.Done.ToString(), s.Failed.ToString(), s.Total.ToString(), s.Created.ToString("u"));
                }
                AnsiConsole.Write(table);
                return 0;
            }
            var status = await session.Client.GetStatusAsync(id);
            if (status.State == Contracts.JobState.Unknown) throw new KeyNotFoundException($"no job '{id}'");
            if (pr.GetValue(watch) && !status.IsFinished)
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, StopSignal.Take());
                status = await JobRunner.WatchAsync(session, status, stop.Token);
                if (!status.IsFinished && stop.IsCancellationRequested) return JobRunner.Stopped(session, status);
            }
            AnsiConsole.MarkupLineInterpolated($"job [bold]{status.JobId}[/] {status.Kind}: [bold]{status.State}[/] {status.Done} done, {status.InFlight} running, {status.Pending} pending, {status.Failed} failed, {status.Cancelled} cancelled of {status.Total} ({status.Progress:P0})");
            AnsiConsole.MarkupLineInterpolated($"outputs under '{status.OutputPrefix}' in the grid's store; manifest {status.Manifest ?? "(when finished)"}");
            if (pr.GetValue(errors))
                await foreach (var e in session.Client.ErrorsAsync(status.JobId, ct)) AnsiConsole.MarkupLineInterpolated($"[red]item {e.Index}[/] {e.Message}");
            else
            {
                foreach (var e in status.Errors) AnsiConsole.MarkupLineInterpolated($"[red]item {e.Index}[/] {e.Message}");
                if (status.Failed > status.Errors.Length) AnsiConsole.MarkupLineInterpolated($"[red]... and {status.Failed - status.Errors.Length} more (--errors lists them all)[/]");
            }
            return 0;
        }));
        return cmd;
    }

    public static Command Fetch()
    {
        var job = new Argument<string>("job") { Description = "Job id" };
        var outDir = CommonOptions.Out("out/fetch");
        var conn = new ConnectionOptions();
        var cmd = new Command("fetch", "Copy a job's outputs (PNGs, shards, manifest, contact sheet) into --out") { job, outDir };
        conn.AddTo(cmd);
        cmd.SetAction((pr, ct) => CommonOptions.Guard(async () =>
        {
            await using var session = await conn.OpenAsync(pr, CommonOptions.DefaultBundleId);
            var files = await session.Client.FetchAsync(pr.GetValue(job)!, pr.GetValue(outDir)!, ct);
            AnsiConsole.MarkupLineInterpolated($"{files.Count} files written to {Path.GetFullPath(pr.GetValue(outDir)!)}");
            return 0;
        }));
        return cmd;
    }
}
