using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Dinov2;
using RAE.Grid.Models.Runtime;
using static TorchSharp.torch;

namespace RAE.Grid.Benchmarks;

/// <summary>
/// The RAE encode forward: <see cref="Dinov2withNorm.EncodeTokens"/> of DINOv2-B with registers
/// (<c>facebook/dinov2-with-registers-base</c>: 768 wide, 12 layers, 12 heads, patch 14, a 37×37 position table
/// resized to the 16×16 grid of a 224² input) → 256 patch tokens after 1 CLS + 4 registers.
/// </summary>
public sealed class EncoderStage : StageBench
{
    private const int Width = 768, Depth = 12, Heads = 12, Patch = 14, InputSide = 224, Registers = 4;
    private const int Tokens = (InputSide / Patch) * (InputSide / Patch) + 1 + Registers;

    private readonly Dinov2withNorm _model;

    public EncoderStage(BenchMode mode, ComputeOptions compute) : base(mode, compute)
    {
        // image_size 518 as in the released config, so the position table is interpolated as in real use.
        var config = new Dinov2WithRegistersConfig(HiddenSize: Width, NumHiddenLayers: Built(Depth),
            NumAttentionHeads: Heads, PatchSize: Patch, ImageSize: 518, NumRegisterTokens: Registers);
        _model = new Dinov2withNorm(new Dinov2WithRegistersModel(config));
        _model.eval();
        compute.Apply(_model);
        Blocks = [new BlockSpec("encoder layer", Depth, BlockShape.Vit(Tokens, Width, Heads, config.MlpHiddenSize))];
    }

    public override string Name => "encoder";
    public override string Description => $"DINOv2-B wReg ({Width}/{Depth}/{Heads}, p{Patch}) {InputSide}² → 256×{Width}";
    public override IReadOnlyList<BlockSpec> Blocks { get; }
    public override double OtherFlopsPerImage => FlopCount.PatchEmbed(InputSide, Patch, Width);

    public override Func<Tensor> Forward(long batch)
    {
        var pixels = Input(batch, 3, InputSide, InputSide);
        return () => _model.EncodeTokens(pixels);
    }

    public override Func<Tensor> Block(int index, long batch, bool contiguous = false)
    {
        var layer = _model.encoder.encoder.layer[index == 0 ? 0 : throw new ArgumentOutOfRangeException(nameof(index))];
        var h = Input(batch, Tokens, Width); // contiguous, as the embeddings' cat makes it
        return () => layer.forward(h);
    }

    public override void Dispose() => _model.Dispose();
}
