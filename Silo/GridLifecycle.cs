using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Stages;

namespace RAE.Grid.Silo;

/// <summary>
/// The grid's part of the silo lifecycle. At start (once the silo is active) it pokes every unfinished job so its
/// pipeline grain re-activates and resumes. At shutdown — before Orleans deactivates grains and leaves the cluster — it
/// drains the stages: no new requests (callers retry on other silos), queued ones finish.
/// </summary>
public sealed class GridLifecycle(IGrainFactory grains, StageRuntime stages, ILogger<GridLifecycle> log)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long shutdown waits for queued stage work.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GridLifecycle), ServiceLifecycleStage.Active, OnStart, OnStop);

    private Task OnStart(CancellationToken ct)
    {
        // Not awaited: resuming must not hold up the silo's start (a job grain may take a while to activate).
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                var unfinished = await grains.GetGrain<IJobIndexGrain>(0).Unfinished();
                foreach (var id in unfinished) await grains.GetGrain<IJobGrain>(id).GetStatus();
                if (unfinished.Length > 0) log.LogInformation("Resumed {Count} unfinished job(s): {Jobs}", unfinished.Length, string.Join(", ", unfinished));
            }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Could not resume unfinished jobs at start"); }
        }, ct);
        return Task.CompletedTask;
    }

    private async Task OnStop(CancellationToken ct)
    {
        log.LogInformation("Draining stages before shutdown");
        await stages.DrainAsync(DrainTimeout);
    }
}
