using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training.Stage1;

#pragma warning disable IDE1006 // names mirror the official module's keys

/// <summary>
/// One head of the official feature discriminator (<c>DiscHead</c>): <c>main</c> = [block(k=1), residual(block(k=9))]
/// with block = SpectralConv1d + BatchNormLocal + LeakyReLU(0.2) and residual(x) = (fn(x) + x)/√2, then
/// <c>cls</c> = SpectralConv1d → 1 channel. Tokens [B,N,C] → logits [B,N].
/// </summary>
public sealed class DiscriminatorHead : Module<Tensor, Tensor>
{
    public readonly Sequential main;
    public readonly SpectralConv1d cls;

    public DiscriminatorHead(int channels, int virtualBatchSize = 8) : base("DiscHead")
    {
        main = Sequential(Block(channels, 1, virtualBatchSize), new ResidualBlock(Block(channels, 9, virtualBatchSize)));
        cls = new SpectralConv1d(channels, 1, 1);
        RegisterComponents();
    }

    static Sequential Block(int channels, int kernelSize, int virtualBatchSize) => Sequential(
        new SpectralConv1d(channels, channels, kernelSize), new BatchNormLocal(channels, virtualBatchSize), LeakyReLU(0.2));

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var x = main.forward(tokens.transpose(1, 2));
        return cls.forward(x).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>(fn(x) + x)/√2, the official <c>ResidualBlock</c>.</summary>
    public sealed class ResidualBlock : Module<Tensor, Tensor>
    {
        public readonly Sequential fn;

        public ResidualBlock(Sequential block) : base("ResidualBlock")
        {
            fn = block;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => (fn.forward(x) + x) / Math.Sqrt(2);
    }
}
