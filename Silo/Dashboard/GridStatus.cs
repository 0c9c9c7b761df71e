using RAE.Grid.Contracts;

namespace RAE.Grid.Silo.Dashboard;

/// <summary>
/// What the status page shows, read through the grid's own grains at one moment: the newest jobs with their progress,
/// every silo's stage replicas, and the cluster's scaling signal per stage. A part that cannot be read is reported in
/// <see cref="Problems"/> and the rest is still shown (a page that goes blank when one grain is slow helps nobody).
/// </summary>
public sealed record GridStatus(DateTimeOffset At, int JobCount, JobStatus[] Jobs, SiloReport[] Silos, StageScaling[] Scaling, string[] Problems)
{
    /// <summary>Longest wait for any one part of the snapshot.</summary>
    public static readonly TimeSpan PartTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Reads a snapshot with at most <paramref name="recentJobs"/> of the newest jobs.</summary>
    public static async Task<GridStatus> ReadAsync(IGrainFactory grains, int recentJobs)
    {
        var problems = new List<string>();
        async Task<T> Part<T>(string what, Func<Task<T>> read, T fallback)
        {
            try { return await read().WaitAsync(PartTimeout); }
            catch (Exception e) { problems.Add($"{what}: {e.GetType().Name}: {e.Message}"); return fallback; }
        }

        var index = grains.GetGrain<IJobIndexGrain>(0);
        // Inside the parts: a grain interface without an implementation here fails its part, not the page.
        IClusterReportGrain Report() => grains.GetGrain<IClusterReportGrain>(0);
        var count = await Part("job index", () => index.Count(), 0);
        var ids = count == 0 ? [] : await Part("job index", () => index.List(Math.Max(0, count - recentJobs), recentJobs), Array.Empty<string>());
        var statuses = await Task.WhenAll(ids.Reverse().Select(id => Part($"job {id}", () => grains.GetGrain<IJobGrain>(id).GetStatus(), JobStatus.Unknown(id))));
        var silos = Part("cluster report (silos)", () => Report().Silos(), Array.Empty<SiloReport>());
        var scaling = Part("cluster report (scaling)", () => Report().Scaling(), Array.Empty<StageScaling>());
        return new GridStatus(DateTimeOffset.UtcNow, count, statuses, await silos, await scaling, [.. problems]);
    }

    /// <summary>Items per second of <paramref name="job"/> since it was created (0 before the first item is done).</summary>
    public static double Throughput(JobStatus job, DateTimeOffset now)
    {
        var seconds = ((job.Finished ?? now) - job.Created).TotalSeconds;
        return seconds <= 0 ? 0 : job.Done / seconds;
    }

    /// <summary>Seconds until <paramref name="job"/> finishes at its throughput so far; null when finished or not yet measurable.</summary>
    public static double? EtaSeconds(JobStatus job, DateTimeOffset now)
    {
        if (job.IsFinished) return null;
        var rate = Throughput(job, now);
        return rate <= 0 ? null : (job.Pending + job.InFlight) / rate;
    }
}
