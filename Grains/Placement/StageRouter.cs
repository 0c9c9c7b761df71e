using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grains.Placement;

/// <summary>
/// Chooses which stage replica serves a job's next call: round robin over the replicas of that stage for the job's bundle
/// on the active silos (read from the membership on every call, so a joining silo takes work at once; a silo with several
/// devices offers one replica per device and instance, each routed like a host of its own), passing over a replica
/// for <see cref="PassOverTime"/> after it failed retryably — a leaving silo stays Active in the membership while it
/// drains, and plain round robin could send every retry of an item back to it until the item failed. One router per
/// job or partition activation; called on that grain's turns only.
/// </summary>
public sealed class StageRouter(StageDirectory directory, IGrainFactory grains, string bundleId)
{
    /// <summary>How long a stage host that failed retryably is passed over.</summary>
    public static readonly TimeSpan PassOverTime = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, int> _next = new();
    private readonly Dictionary<(string Stage, StageHost Host), DateTime> _passOver = new();

    /// <summary>The bundle whose stages this router calls.</summary>
    public string BundleId { get; } = bundleId;

    /// <summary>The next usable replica of <paramref name="stage"/> (round robin); <see cref="NoStageSiloException"/> when no silo hosts it.</summary>
    public StageHost Pick(string stage) => RoundRobin(stage, Usable(stage));

    /// <summary>
    /// A usable replica of <paramref name="stage"/> on <paramref name="near"/>'s silo (locality: a latent handed to a stage
    /// on the same silo is not copied or sent), the one with <paramref name="near"/>'s replica index when there is one
    /// (the same device: replica r is on the same device entry for every stage of a silo); else <see cref="Pick"/>.
    /// </summary>
    public StageHost PickNear(string stage, StageHost near)
    {
        var usable = Usable(stage);
        if (usable.Contains(near)) return near;
        var local = usable.Where(h => h.Silo.Equals(near.Silo)).ToList();
        return RoundRobin(stage, local.Count > 0 ? local : usable);
    }

    private StageHost RoundRobin(string stage, List<StageHost> usable)
    {
        var next = _next.TryGetValue(stage, out var n) ? n : 0;
        _next[stage] = next + 1;
        return usable[next % usable.Count];
    }

    /// <summary>Stage grain key of this router's bundle on replica <paramref name="host"/>.</summary>
    public string KeyOf(StageHost host) => StageKeys.For(BundleId, host);

    /// <summary>
    /// Calls <paramref name="stage"/> on replica <paramref name="host"/>. A retryable failure marks that replica passed over
    /// and is rethrown (the caller decides whether to retry).
    /// </summary>
    public async Task<TResult> CallOnAsync<TGrain, TResult>(string stage, StageHost host, Func<TGrain, Task<TResult>> call) where TGrain : IGrainWithStringKey
    {
        try
        {
            return await call(grains.GetGrain<TGrain>(KeyOf(host)));
        }
        catch (Exception e) when (e is not OperationCanceledException && RetryPolicy.IsRetryable(e))
        {
            _passOver[(stage, host)] = DateTime.UtcNow + PassOverTime;
            throw;
        }
    }

    /// <summary>Calls <paramref name="stage"/> on the next usable replica (<see cref="Pick"/>, <see cref="CallOnAsync"/>).</summary>
    public Task<TResult> CallAsync<TGrain, TResult>(string stage, Func<TGrain, Task<TResult>> call) where TGrain : IGrainWithStringKey =>
        CallOnAsync(stage, Pick(stage), call);

    private List<StageHost> Usable(string stage)
    {
        var silos = directory.ReplicasHosting(stage, BundleId);
        if (silos.Count == 0) throw new NoStageSiloException($"no active silo hosts the {stage} stage for bundle '{BundleId}'");
        var now = DateTime.UtcNow;
        var usable = silos.Where(s => !(_passOver.TryGetValue((stage, s), out var until) && until > now)).ToList();
        return usable.Count > 0 ? usable : silos.ToList(); // every host failed lately: try them all again
    }
}
