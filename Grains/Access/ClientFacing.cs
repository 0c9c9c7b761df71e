using System.Reflection;
using Orleans.Runtime;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Access;

/// <summary>
/// The grain methods a client may call: submitting, watching and cancelling jobs (<see cref="IJobGrain"/>), listing them
/// (<see cref="IJobIndexGrain.List"/>, <see cref="IJobIndexGrain.Count"/>), reading outputs
/// (<see cref="IOutputReaderGrain"/>), uploading inputs (<see cref="IInputWriterGrain"/>) and reading the cluster report
/// (<see cref="IClusterReportGrain"/>: read-only operational data — silos, stage queues, scaling signals — no job's
/// inputs or outputs, what <c>rae-grid cluster</c> shows); and, for admins only,
/// Orleans' management grain. Everything else — stage grains, partitions, the job-control interface, the index's
/// bookkeeping, output claims — is silo-internal, on an open grid too: a client that could call a stage grain would
/// skip every check a job makes.
/// </summary>
public static class ClientFacing
{
    static readonly HashSet<Type> WholeInterfaces = [typeof(IJobGrain), typeof(IOutputReaderGrain), typeof(IInputWriterGrain),
        typeof(IClusterReportGrain)];
    static readonly HashSet<string> IndexMethods = [nameof(IJobIndexGrain.List), nameof(IJobIndexGrain.Count)];

    /// <summary>Null when a client with admin rights <paramref name="admin"/> may call <paramref name="method"/>; else why not.</summary>
    public static string? Refusal(MethodInfo method, bool admin)
    {
        var type = method.DeclaringType;
        if (type is null) return "this call is not callable from clients";
        if (WholeInterfaces.Contains(type)) return null;
        if (type == typeof(IJobIndexGrain) && IndexMethods.Contains(method.Name)) return null;
        if (type == typeof(IManagementGrain))
            return admin ? null : $"{type.Name} is for admin clients only";
        return $"{type.Name}.{method.Name} is not callable from clients";
    }
}
