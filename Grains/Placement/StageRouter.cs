using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grains.Placement;

/// <summary>
/// Chooses which silo's stage grain serves a job's next call: round robin over the active silos hosting that stage for
/// the job's bundle (read from the membership on every call, so a joining silo takes work at once), passing over a silo
/// for <see cref="PassOverTime"/> after it failed retryably — a leaving silo stays Active in the membership while it
/// drains, and plain round robin could send every retry of an item back to it until the item failed. One router per
/// job or partition activation; called on that grain's turns only.
/// </summary>
public sealed class StageRouter(StageDirectory directory, IGrainFactory grains, string bundleId)
{
    /// <summary>How long a stage host that failed retryably is passed over.</summary>
    public static readonly TimeSpan PassOverTime = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, int> _next = new();
    private readonly Dictionary<(string Stage, SiloAddress Silo), DateTime> _passOver = new();

    /// <summary>The bundle whose stages this router calls.</summary>
    public string BundleId { get; } = bundleId;

    /// <summary>The next usable silo hosting <paramref name="stage"/> (round robin); <see cref="NoStageSiloException"/> when none does.</summary>
    public SiloAddress Pick(string stage) => RoundRobin(stage, Usable(stage));

    /// <summary>
    /// <paramref name="near"/> when it hosts <paramref name="stage"/> and is usable (locality: a latent handed to a stage
    /// on the same silo is not copied or sent), else <see cref="Pick"/>.
    /// </summary>
    public SiloAddress PickNear(string stage, SiloAddress near)
    {
        var usable = Usable(stage);
        return usable.Contains(near) ? near : RoundRobin(stage, usable);
    }

    private SiloAddress RoundRobin(string stage, List<SiloAddress> usable)
    {
        var next = _next.TryGetValue(stage, out var n) ? n : 0;
        _next[stage] = next + 1;
        return usable[next % usable.Count];
    }

    /// <summary>Stage grain key of this router's bundle on <paramref name="silo"/>.</summary>
    public string KeyOf(SiloAddress silo) => StageKeys.For(BundleId, silo);

    /// <summary>
    /// Calls <paramref name="stage"/> on <paramref name="silo"/>. A retryable failure marks that silo passed over and is
    /// rethrown (the caller decides whether to retry).
    /// </summary>
    public async Task<TResult> CallOnAsync<TGrain, TResult>(string stage, SiloAddress silo, Func<TGrain, Task<TResult>> call) where TGrain : IGrainWithStringKey
    {
        try
        {
            return await call(grains.GetGrain<TGrain>(KeyOf(silo)));
        }
        catch (Exception e) when (e is not OperationCanceledException && RetryPolicy.IsRetryable(e))
        {
            _passOver[(stage, silo)] = DateTime.UtcNow + PassOverTime;
            throw;
        }
    }

    /// <summary>Calls <paramref name="stage"/> on the next usable silo (<see cref="Pick"/>, <see cref="CallOnAsync"/>).</summary>
    public Task<TResult> CallAsync<TGrain, TResult>(string stage, Func<TGrain, Task<TResult>> call) where TGrain : IGrainWithStringKey =>
        CallOnAsync(stage, Pick(stage), call);

    private List<SiloAddress> Usable(string stage)
    {
        var silos = directory.SilosHosting(stage, BundleId);
        if (silos.Count == 0) throw new NoStageSiloException($"no active silo hosts the {stage} stage for bundle '{BundleId}'");
        var now = DateTime.UtcNow;
        var usable = silos.Where(s => !(_passOver.TryGetValue((stage, s), out var until) && until > now)).ToList();
        return usable.Count > 0 ? usable : silos.ToList(); // every host failed lately: try them all again
    }
}
