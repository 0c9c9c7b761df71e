using RAE.Grid.Client;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// Draws an upload's <see cref="UploadProgress"/> (files and MB) as in <see cref="TrainingProgressView"/>: a Spectre
/// progress bar on an interactive terminal; on a redirected output (CI logs) one plain line every 10 % instead.
/// </summary>
internal static class UploadProgressView
{
    /// <summary>Runs <paramref name="work"/> while drawing the progress it reports; returns its result.</summary>
    public static async Task<T> RunAsync<T>(Func<IProgress<UploadProgress>, Task<T>> work, TextWriter? plainOut = null)
    {
        plainOut ??= Console.Error;
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var lastDecile = -1L;
            var plain = new Progress(p =>
            {
                // The uploader reports one at a time, in order.
                // 10 only when every file is settled: bytes can be all sent before the last file is committed.
                var decile = Math.Min(p.BytesTotal > 0 ? p.BytesDone * 10 / p.BytesTotal : 10, p.FilesTotal > 0 ? p.FilesDone * 10L / p.FilesTotal : 10);
                if (decile == lastDecile) return;
                lastDecile = decile;
                plainOut.WriteLine($"{DateTime.Now:HH:mm:ss} upload: {Describe(p)}");
            });
            return await work(plain);
        }

        T result = default!;
        await ProgressBars.Create()
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("upload", maxValue: 1);
                result = await work(new Progress(p =>
                {
                    task.MaxValue = Math.Max(1, p.BytesTotal);
                    task.Value = Math.Min(p.BytesDone, task.MaxValue);
                    task.Description = Markup.Escape($"upload {Describe(p)}");
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    static string Describe(UploadProgress p) =>
        $"{p.FilesDone}/{p.FilesTotal} files, {Mb(p.BytesDone)}/{Mb(p.BytesTotal)} MB ({Mb(p.BytesSent)} MB sent)";

    static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);

    // Synchronous IProgress: System.Progress<T> would post to the thread pool and could reorder reports.
    sealed class Progress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }
}
