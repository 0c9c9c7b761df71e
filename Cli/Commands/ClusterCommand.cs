using System.CommandLine;
using System.Text.Json;
using RAE.Grid.Contracts;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// <c>cluster</c>: the grid as an operator sees it — silos with their stages and devices, every stage replica's queue
/// depth, running batch, batches, mean batch size and items/s, and per stage desired vs current replicas (the elastic
/// scaling signal). <c>--json</c> prints one JSON object on stdout for scripts; <c>--watch</c> redraws until Ctrl-C.
/// </summary>
internal static class ClusterCommand
{
    /// <summary>How often <c>--watch</c> asks again.</summary>
    static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object (silos, scaling) on stdout instead of tables" };
        var watch = new Option<bool>("--watch") { Description = "Redraw every 2 s until Ctrl-C" };
        var all = new Option<bool>("--all") { Description = "Also list idle replicas (never loaded or used) and their stages' scaling rows" };
        var conn = new ConnectionOptions();
        var cmd = new Command("cluster", "Show the grid's silos, their stages, devices and stage replicas' queues, and desired vs current replicas") { json, watch, all };
        conn.AddTo(cmd);
        cmd.SetAction((pr, ct) => CommonOptions.Guard(async () =>
        {
            await using var session = await conn.OpenAsync(pr, CommonOptions.DefaultBundleId);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, StopSignal.Take());
            while (true)
            {
                var silos = await session.Client.SilosAsync();
                var scaling = await session.Client.ScalingAsync();
                if (pr.GetValue(json)) Console.Out.WriteLine(JsonSerializer.Serialize(new { silos, scaling }, Json));
                else Print(silos, scaling, pr.GetValue(all));
                if (!pr.GetValue(watch)) return 0;
                try { await Task.Delay(WatchInterval, stop.Token); }
                catch (OperationCanceledException) { return 0; }
                if (!pr.GetValue(json)) AnsiConsole.Clear();
            }
        }));
        return cmd;
    }

    /// <summary>
    /// Tables: silos, each silo's stage replicas, scaling. Unless <paramref name="all"/>, idle replicas
    /// (<see cref="StageReplicaReport.IsIdle"/>) and the scaling rows of stages with no other replica are left out, and counted.
    /// </summary>
    public static void Print(SiloReport[] silos, StageScaling[] scaling, bool all = false)
    {
        var shown = silos.SelectMany(s => s.Replicas).Where(r => all || !r.IsIdle).Select(r => (r.Stage, r.Bundle)).ToHashSet();
        var siloTable = new Table().Title("silos").AddColumns("silo", "status", "stages", "devices", "replicas");
        foreach (var s in silos)
            siloTable.AddRow(Markup.Escape(s.Silo), s.Status, string.Join(",", s.Stages), string.Join(",", s.Devices), s.Replicas.Length.ToString());
        AnsiConsole.Write(siloTable);

        // One replica table per silo, without the long silo address per row: it fits an 80-column terminal.
        foreach (var s in silos)
        {
            var replicas = new Table().Title($"stage replicas on {Markup.Escape(s.Silo)}").AddColumns("stage", "bundle", "#", "device", "loaded",
                "queue", "running", "batches", "items", "mean batch", "items/s");
            foreach (var r in s.Replicas.Where(r => all || !r.IsIdle))
                replicas.AddRow(r.Stage, Markup.Escape(r.Bundle), r.Replica.ToString(), r.Device, r.Loaded ? "yes" : "no",
                    r.QueueDepth.ToString(), r.Running.ToString(), r.Batches.ToString(), r.Items.ToString(), r.MeanBatchSize.ToString("F1"),
                    r.ItemsPerSecond.ToString("F2"));
            AnsiConsole.Write(replicas);
            if (s.Replicas.Count(r => !all && r.IsIdle) is > 0 and var idle)
                AnsiConsole.MarkupLine($"[grey]{idle} idle replica(s) not shown (--all lists them)[/]");
        }

        var signal = new Table().Title("scaling (desired vs current replicas)").AddColumns("stage", "bundle", "replicas", "desired", "backlog", "items/s");
        foreach (var x in scaling.Where(x => all || shown.Contains((x.Stage, x.Bundle)) || x.Backlog > 0))
            signal.AddRow(x.Stage, Markup.Escape(x.Bundle), x.CurrentReplicas.ToString(),
                x.DesiredReplicas == x.CurrentReplicas ? x.DesiredReplicas.ToString() : $"[bold]{x.DesiredReplicas}[/]",
                x.Backlog.ToString(), x.ItemsPerSecond.ToString("F2"));
        AnsiConsole.Write(signal);
    }
}
