namespace RAE.Grid.Grains.Jobs;

/// <summary>The job grain as its partitions see it (same key and activation as the job's <see cref="Contracts.IJobGrain"/>).</summary>
[Alias("rae.IJobControlGrain")]
public interface IJobControlGrain : IGrainWithStringKey
{
    /// <summary>Partition <paramref name="partition"/>'s counts; a finished one's are final (reporting them again is harmless).</summary>
    [Alias("Report"), Orleans.Concurrency.OneWay] Task Report(int partition, PartitionProgress progress);

    /// <summary>A waiting (Queued) job was admitted: it starts running (a job that is not waiting ignores it).</summary>
    [Alias("Admitted"), Orleans.Concurrency.OneWay] Task Admitted();
}
