namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// A bounded window over a job's items: starts one task per item, never more than a window's worth at once, and
/// completes when all have. Every job kind moves its items through this one loop.
/// </summary>
public static class WindowedRun
{
    /// <summary>Runs <paramref name="start"/> for every item, at most <paramref name="window"/> at once.</summary>
    public static async Task RunAsync<T>(IEnumerable<T> items, int window, Func<T, Task> start, CancellationToken ct)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), $"window must be at least 1, got {window}");
        var running = new List<Task>();
        try
        {
            foreach (var item in items)
            {
                ct.ThrowIfCancellationRequested();
                while (running.Count >= window)
                {
                    await Task.WhenAny(running);
                    running.RemoveAll(t => t.IsCompleted);
                }
                running.Add(start(item));
            }
        }
        catch
        {
            // Items already started settle before the caller sees the stop, so none changes after it.
            try { await Task.WhenAll(running); } catch { /* the caller gets the first error */ }
            throw;
        }
        await Task.WhenAll(running);
    }
}
