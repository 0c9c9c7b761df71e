namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// A bounded window over a partition's items: starts one task per item, never more than a window's worth at once, and
/// completes when all have. The window is read before each start, so a job can widen or narrow it as the cluster
/// changes. Every job kind moves its items (or shards) through this one loop.
/// </summary>
public static class WindowedRun
{
    /// <summary>Runs <paramref name="start"/> for every item, at most <paramref name="window"/>() at once (at least one).</summary>
    public static async Task RunAsync<T>(IEnumerable<T> items, Func<int> window, Func<T, Task> start, CancellationToken ct)
    {
        var running = new List<Task>();
        try
        {
            foreach (var item in items)
            {
                ct.ThrowIfCancellationRequested();
                while (running.Count >= Math.Max(1, window()))
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
