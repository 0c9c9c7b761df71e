using RAE.Grid.Contracts;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;

namespace RAE.Grid.Grains.Stages;

/// <summary>Converts between TorchSharp tensors and the wire's <see cref="TensorPayload"/> (raw bytes + dtype + shape).</summary>
public static class TensorPayloads
{
    /// <summary>A tensor (any device) → payload, copied to the CPU and made contiguous.</summary>
    public static TensorPayload ToPayload(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return new TensorPayload(TensorDType.ToSafeTensorsName(cpu.dtype), cpu.shape, cpu.bytes.ToArray());
    }

    /// <summary>A payload → a CPU tensor that owns its memory (dtype, shape and byte count checked by <see cref="TensorDType.FromBytes"/>).</summary>
    public static Tensor ToTensor(TensorPayload p) => TensorDType.FromBytes(p.DType, p.Shape, p.Data);

    /// <summary>A payload as a latent of <paramref name="model"/>'s shape; an ArgumentException naming it otherwise.</summary>
    public static Tensor ToLatent(RaeModel model, TensorPayload latent)
    {
        var t = ToTensor(latent);
        return t.shape.SequenceEqual(model.LatentShape) ? t
            : throw new ArgumentException($"latent {latent} does not have the bundle's latent shape [{string.Join(",", model.LatentShape)}]");
    }
}
