using Microsoft.Extensions.Hosting;
using RAE.Grid.Grains.Stages;

namespace RAE.Grid.Silo;

/// <summary>
/// Whether this silo should be sent work (<c>/healthz/ready</c>), as Kubernetes and Triton separate it from liveness: it
/// is Active in the cluster membership, its models are loaded (with <c>Grid:PreloadModels</c>), and it is not draining
/// or stopping. Local only (no grain calls).
/// </summary>
public sealed class Readiness(ISiloStatusOracle membership, ModelPreloader models, StageRuntime stages, IHostApplicationLifetime lifetime)
{
    /// <summary>Whether every condition holds, and each condition with whether it holds and why not.</summary>
    public (bool Ready, IReadOnlyDictionary<string, (bool Ok, string Detail)> Conditions) Check()
    {
        var status = membership.CurrentStatus;
        var missing = models.Missing;
        var stopping = lifetime.ApplicationStopping.IsCancellationRequested;
        var conditions = new Dictionary<string, (bool, string)>
        {
            ["active"] = (status == SiloStatus.Active, $"membership status {status}"),
            ["models"] = (missing.Count == 0, !models.Enabled ? "loaded on first use (Grid:PreloadModels off)"
                : missing.Count == 0 ? "every bundle loaded" : string.Join("; ", missing.Select(kv => $"{kv.Key}: {kv.Value}"))),
            ["not_draining"] = (!stages.Draining && !stopping, stages.Draining ? "stages are draining" : stopping ? "the host is stopping" : "serving"),
        };
        return (conditions.Values.All(c => c.Item1), conditions);
    }
}
