using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training.Stage1;

#pragma warning disable IDE1006 // names mirror the official module's keys

/// <summary>
/// The official discriminator's <c>BatchNormLocal</c>: batch norm over "virtual batches" of
/// <see cref="VirtualBatchSize"/> samples (the batch is split into ceil(B/8) groups; statistics per group and channel
/// over samples and tokens, biased variance, eps 1e-5), affine, no running statistics.
/// </summary>
public sealed class BatchNormLocal : Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    public readonly Parameter bias;

    /// <summary>Samples per statistics group.</summary>
    public int VirtualBatchSize { get; }
    const double Eps = 1e-5;

    public BatchNormLocal(int channels, int virtualBatchSize = 8) : base("BatchNormLocal")
    {
        if (virtualBatchSize <= 0) throw new ArgumentException($"virtual_bs must be > 0, got {virtualBatchSize}");
        VirtualBatchSize = virtualBatchSize;
        weight = Parameter(ones(channels));
        bias = Parameter(zeros(channels));
        RegisterComponents();
    }

    /// <summary>[B,C,L] → normalized [B,C,L]; B must split evenly into ceil(B/virtual_bs) groups.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, c, l) = (x.shape[0], x.shape[1], x.shape[2]);
        var groups = (b + VirtualBatchSize - 1) / VirtualBatchSize;
        if (b % groups != 0)
            throw new ArgumentException($"batch {b} does not split into {groups} equal virtual batches");
        var g = x.view(groups, -1, c, l);
        var mean = g.mean([1, 3], keepdim: true);
        var variance = g.var([1, 3], unbiased: false, keepdim: true);
        g = (g - mean) / (variance + Eps).sqrt();
        g = g * weight.view(1, c, 1) + bias.view(1, c, 1);
        return g.view(b, c, l).MoveToOuterDisposeScope();
    }
}
