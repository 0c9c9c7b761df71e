namespace RAE.Grid.Contracts;

/// <summary>
/// One latent shard of an encode job, sent to an encoder stage that encodes its images and writes the safetensors
/// shard to the store itself (so no latent passes through a job or partition grain).
/// </summary>
/// <param name="JobId">The job (for fair batching between jobs and the shard's metadata).</param>
/// <param name="BundleId">The bundle (recorded in the shard's metadata).</param>
/// <param name="Shard">Store name of the shard.</param>
/// <param name="Indices">The items' indices in their job, in shard order.</param>
/// <param name="Images">The items' images (store names), one per index.</param>
/// <param name="Priority">The job's priority in the stage queues.</param>
[GenerateSerializer, Immutable, Alias("rae.ShardRequest")]
public sealed record ShardRequest(
    [property: Id(0)] string JobId,
    [property: Id(1)] string BundleId,
    [property: Id(2)] string Shard,
    [property: Id(3)] long[] Indices,
    [property: Id(4)] ImageSource[] Images,
    [property: Id(5)] int Priority = 0);
