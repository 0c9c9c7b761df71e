using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Which of a job's partitions run, in the job's persisted state: at most <see cref="PipelineOptions.ActivePartitions"/>
/// at once, started in order, each with its share of a window sized to the cluster. The job grain persists the state and
/// calls the partitions; this class only decides.
/// </summary>
public sealed class JobSchedule(JobGrainState s, PipelineOptions p)
{
    /// <summary>The stage whose batch capacity sizes the window: the first stage every item passes.</summary>
    public string FirstStage => s.Kind == JobKind.Generate ? StageNames.Diffusion : StageNames.Encoder;

    /// <summary>
    /// Items the job keeps in flight: <see cref="PipelineOptions.BatchesInFlightPerHost"/> batches of the first stage's
    /// <paramref name="capacity"/> (its silos' advertised MaxBatch summed, read on every call so a joining silo widens it),
    /// at least one and at most <see cref="PipelineOptions.MaxInFlightItems"/>.
    /// </summary>
    public int Window(int capacity) => (int)Math.Clamp((long)p.BatchesInFlightPerHost * capacity, 1, p.MaxInFlightItems);

    /// <summary>A running partition's share of the <see cref="Window"/>, rounded up.</summary>
    public int PartitionWindow(int capacity) => (Window(capacity) + Math.Max(1, s.Active.Count) - 1) / Math.Max(1, s.Active.Count);

    /// <summary>Whether <paramref name="partition"/> has started and not finished.</summary>
    public bool IsActive(int partition) => s.Active.Contains(partition);

    /// <summary>Every partition has started and none is still running: the job can finish.</summary>
    public bool AllFinished => s.Active.Count == 0 && s.NextPartition >= s.Partitions;

    /// <summary>Marks the next partitions active until <see cref="PipelineOptions.ActivePartitions"/> run; returns those started.</summary>
    public IReadOnlyList<int> StartNext()
    {
        var started = new List<int>();
        while (s.Active.Count < p.ActivePartitions && s.NextPartition < s.Partitions)
        {
            s.Active.Add(s.NextPartition);
            started.Add(s.NextPartition++);
        }
        return started;
    }

    /// <summary>
    /// Starts partitions until ActivePartitions run: marks them active, persists that through <paramref name="persist"/>
    /// (so a restarted job resumes them), then starts each through <paramref name="run"/>, in order. Returns whether every
    /// partition has finished, so the job can.
    /// </summary>
    public async Task<bool> PumpAsync(Func<int, Task> run, Func<Task> persist)
    {
        var started = StartNext();
        if (started.Count > 0)
        {
            await persist();
            foreach (var partition in started) await run(partition);
        }
        return AllFinished;
    }

    /// <summary>Partition <paramref name="partition"/> finished: false when it was not running (a repeated or late report).</summary>
    public bool Finish(int partition) => s.Active.Remove(partition);

    /// <summary>A finished partition re-opened by the audit runs again (and reports again).</summary>
    public void Reopen(int partition)
    {
        if (!s.Active.Contains(partition)) s.Active.Add(partition);
    }

    /// <summary>The partitions a cancel settles: the running ones, then those never started.</summary>
    public IReadOnlyList<int> Open() => s.Active.Concat(Enumerable.Range(s.NextPartition, s.Partitions - s.NextPartition)).ToList();

    /// <summary>
    /// Cancels the job's partitions: every <see cref="Open"/> one settles through <paramref name="cancel"/> (16 at a time)
    /// and records its items — never-started ones as cancelled, so the manifest still lists every item — and its final
    /// counts join <paramref name="tally"/>; then none runs and none is left to start.
    /// </summary>
    public async Task CancelAsync(JobTally tally, Func<int, Task<PartitionProgress>> cancel)
    {
        foreach (var chunk in Open().Chunk(16))
            foreach (var (partition, final) in await Task.WhenAll(chunk.Select(async p => (p, await cancel(p)))))
                tally.Finished(partition, final);
        s.Active.Clear();
        s.NextPartition = s.Partitions;
        tally.ForgetLive();
    }
}
