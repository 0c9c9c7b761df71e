using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// What one partition of a job does: items [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>) of the
/// job, with the job's settings. Image jobs list their partition's inputs in a stored plan file (<see cref="Inputs"/>,
/// <see cref="InputList"/> lines), so neither the plan nor any grain state holds a job's whole item list.
/// <see cref="Priority"/> is the job's priority in the stage queues. A prompted job's plan carries only its partition's
/// prompts: <see cref="GenerateSpec.Prompts"/>[k] is the job's prompt <see cref="PromptOffset"/> + k.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.PartitionPlan")]
public sealed record PartitionPlan(
    [property: Id(0)] string JobId,
    [property: Id(1)] JobKind Kind,
    [property: Id(2)] string BundleId,
    [property: Id(3)] string OutputPrefix,
    [property: Id(4)] int Index,
    [property: Id(5)] int Start,
    [property: Id(6)] int Count,
    [property: Id(7)] GenerateSpec? Generate,
    [property: Id(8)] int ShardSize,
    [property: Id(9)] string? Inputs,
    [property: Id(10)] int Priority = 0,
    [property: Id(11)] int PromptOffset = 0)
{
    /// <summary>The partition grain's key: "&lt;job id&gt;#&lt;partition index&gt;".</summary>
    public string GrainKey => KeyOf(JobId, Index);

    /// <summary>The key of partition <paramref name="index"/> of job <paramref name="jobId"/>.</summary>
    public static string KeyOf(string jobId, int index) => $"{jobId}#{index}";
}
