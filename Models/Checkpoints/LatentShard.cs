using System.Text.Json;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// The safetensors shard an encode job stores: <c>latents</c> [n, C, h, w] stacked in item order and <c>index</c> I64 [n]
/// (the items' indices in their job), with the items' names as a JSON list under the <c>names</c> metadata key plus
/// any other metadata given. Items arrive as raw tensor bytes, as they travel between grains.
/// </summary>
public static class LatentShard
{
    /// <summary>The shard's bytes; every latent must have the same dtype and shape.</summary>
    public static byte[] ToBytes(IReadOnlyList<(long Index, string Name, string DType, long[] Shape, byte[] Data)> items,
        IReadOnlyDictionary<string, string> metadata)
    {
        if (items.Count == 0) throw new ArgumentException("a latent shard needs at least one item");
        using var scope = NewDisposeScope();
        var latents = stack(items.Select(i => TensorDType.FromBytes(i.DType, i.Shape, i.Data)).ToArray());
        var index = tensor(items.Select(i => i.Index).ToArray(), ScalarType.Int64);
        var meta = new Dictionary<string, string>(metadata) { ["names"] = JsonSerializer.Serialize(items.Select(i => i.Name)) };
        return SafeTensorsWriter.ToBytes(new Dictionary<string, Tensor> { ["latents"] = latents, ["index"] = index }, meta);
    }
}
