using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Rae;
using RAE.Grid.Models.Runtime;
using static TorchSharp.torch;

namespace RAE.Grid.Benchmarks;

/// <summary>
/// The RAE decode forward (<see cref="RaeDecoder.Decode"/>): a [B, 768, 16, 16] latent → the ViT-XL
/// <see cref="GeneralDecoder"/> (1152 wide, 28 layers, 16 heads, MLP 4096, patch 16) on 256 tokens + CLS →
/// unpatchify → a 256² image.
/// </summary>
public sealed class DecoderStage : StageBench
{
    private const int EncoderWidth = 768, Grid = 16;

    private readonly GeneralDecoder _decoder;
    private readonly RaeDecoder _rae;
    private readonly DecoderConfig _config;

    public DecoderStage(BenchMode mode, ComputeOptions compute) : base(mode, compute)
    {
        var full = DecoderPresets.ViTXL.ForRae(EncoderWidth, Grid * Grid);
        _config = full with { DecoderNumHiddenLayers = Built(full.DecoderNumHiddenLayers) };
        _decoder = new GeneralDecoder(_config);
        _decoder.eval();
        compute.Apply(_decoder);
        _rae = new RaeDecoder(_decoder, LatentStats.Identity, PixelNormalization.ImageNet);
        Blocks = [new BlockSpec("decoder layer", full.DecoderNumHiddenLayers, BlockShape.Vit(full.NumPatches + 1,
            full.DecoderHiddenSize, full.DecoderNumAttentionHeads, full.DecoderIntermediateSize))];
    }

    public override string Name => "decoder";
    public override string Description =>
        $"ViT-XL decoder ({_config.DecoderHiddenSize}/{Blocks[0].Depth}/{_config.DecoderNumAttentionHeads}, MLP {_config.DecoderIntermediateSize}) 256×{EncoderWidth} → {_config.ImageSize}²";
    public override IReadOnlyList<BlockSpec> Blocks { get; }

    public override double OtherFlopsPerImage =>
        FlopCount.Linear(_config.NumPatches, EncoderWidth, _config.DecoderHiddenSize)              // decoder_embed
        + FlopCount.Linear(_config.NumPatches + 1, _config.DecoderHiddenSize, _config.PatchDim);  // decoder_pred (CLS too)

    public override Func<Tensor> Forward(long batch)
    {
        var latent = Input(batch, EncoderWidth, Grid, Grid);
        return () => _rae.Decode(latent);
    }

    public override Func<Tensor> Block(int index, long batch, bool contiguous = false)
    {
        var layer = _decoder.decoder_layers[index == 0 ? 0 : throw new ArgumentOutOfRangeException(nameof(index))];
        var x = Input(batch, _config.NumPatches + 1, _config.DecoderHiddenSize); // contiguous, as the CLS cat makes it
        return () => layer.forward(x);
    }

    public override void Dispose() => _decoder.Dispose();
}
