using System.Collections.Concurrent;
using System.Globalization;
using RAE.Grid.Training;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// Draws the <see cref="TrainingProgress"/> reports of a long loop (training, statistics, evaluation): one Spectre
/// progress bar per phase with its latest metrics on an interactive terminal; on a redirected output (CI logs) one
/// plain line per phase every 10 % instead, so logs stay readable. Reports arrive from the training thread.
/// </summary>
internal static class TrainingProgressView
{
    /// <summary>Runs <paramref name="work"/> on a worker thread while drawing its progress; returns its result.</summary>
    public static async Task<T> RunAsync<T>(Func<IProgress<TrainingProgress>, T> work, TextWriter? plainOut = null)
    {
        plainOut ??= Console.Error;
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var lastDecile = new ConcurrentDictionary<string, long>();
            var plain = new Progress(p =>
            {
                long decile = p.TotalSteps > 0 ? p.Step * 10 / p.TotalSteps : 0;
                if (lastDecile.TryGetValue(p.Phase, out var d) && d == decile) return;
                lastDecile[p.Phase] = decile;
                plainOut.WriteLine($"{DateTime.Now:HH:mm:ss} {p.Phase}: {p.Step}/{p.TotalSteps} {Metrics(p)}");
            });
            return await Task.Run(() => work(plain));
        }

        T result = default!;
        await ProgressBars.Create()
            .StartAsync(async ctx =>
            {
                var tasks = new ConcurrentDictionary<string, ProgressTask>();
                var progress = new Progress(p =>
                {
                    var task = tasks.GetOrAdd(p.Phase, name => ctx.AddTask(Markup.Escape(name), maxValue: Math.Max(1, p.TotalSteps)));
                    task.MaxValue = Math.Max(1, p.TotalSteps);
                    task.Value = Math.Min(p.Step, task.MaxValue);
                    task.Description = Markup.Escape($"{p.Phase} {Metrics(p)}");
                });
                result = await Task.Run(() => work(progress));
                foreach (var t in tasks.Values) t.Value = t.MaxValue;
            });
        return result;
    }

    static string Metrics(TrainingProgress p) => string.Join(" ", p.Metrics.Select(kv =>
        $"{kv.Key}={kv.Value.ToString(Math.Abs(kv.Value) is > 0 and < 1e-2 ? "0.##e+0" : "0.####", CultureInfo.InvariantCulture)}"));

    // Synchronous IProgress: System.Progress<T> would post to the thread pool and could reorder or lag reports.
    sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
