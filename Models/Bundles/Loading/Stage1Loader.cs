using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Decoders;
using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Dinov2;
using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Encoders.Siglip;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Bundles.Loading;

/// <summary>
/// Builds the RAE of a bundle's <c>stage_1</c> block: the frozen encoder named by <c>encoder_cls</c> from its HF
/// config and weights, the latent stats, and the decoder from its ViTMAE-style config and weights. Weights may be
/// safetensors or torch .pt files; loading is strict and names every mismatched key.
/// </summary>
public static class Stage1Loader
{
    /// <summary>Loads the encoder and decoder of <paramref name="bundle"/> onto its configured device and dtype.</summary>
    public static (RaeEncoder Encoder, RaeDecoder Decoder) Load(RaeBundle bundle)
    {
        var p = bundle.Stage1.Params;
        var stats = string.IsNullOrWhiteSpace(p.NormalizationStatPath)
            ? LatentStats.Identity : LatentStatsFile.Read(bundle.Resolve(p.NormalizationStatPath));
        var representation = LoadRepresentationEncoder(bundle);
        var encoder = new RaeEncoder(representation,
            new RaeEncoderOptions(p.EncoderInputSize, p.NoiseTau, ReshapeTo2d: p.ReshapeTo2d), stats);
        encoder.eval();

        var grid = p.EncoderInputSize / representation.PatchSize;
        var decoderConfig = DecoderConfig.Load(bundle.Resolve(p.DecoderConfigPath))
            .ForRae(representation.HiddenSize, grid * grid, p.DecoderPatchSize);
        var decoder = new GeneralDecoder(decoderConfig);
        StateDictLoader.LoadFrozen(decoder, ReadWeights(bundle, p.PretrainedDecoderPath), p.PretrainedDecoderPath,
            optional: GeneralDecoder.OptionalKeys);

        bundle.Compute.Apply(encoder);
        bundle.Compute.Apply(decoder);
        return (encoder, new RaeDecoder(decoder, stats, representation.PixelNormalization));
    }

    static IRepresentationEncoder LoadRepresentationEncoder(RaeBundle bundle)
    {
        var p = bundle.Stage1.Params;
        var config = bundle.Resolve(p.EncoderConfigPath);
        var weights = ReadWeights(bundle, p.EncoderWeightsPath);
        PixelNormalization? pixels = p.PixelMean is { } m && p.PixelStd is { } s ? new PixelNormalization(m, s) : null;
        return p.EncoderCls switch
        {
            "Dinov2withNorm" => new Dinov2withNorm(
                Dinov2WithRegistersModel.Load(Dinov2WithRegistersConfig.FromFile(config), weights, p.EncoderWeightsPath), pixels),
            "MAEwNorm" => new MAEwNorm(ViTMAEModel.Load(ViTMAEConfig.FromFile(config), weights, p.EncoderWeightsPath), pixels),
            "SigLIP2wNorm" => new SigLIP2wNorm(
                SiglipVisionTransformer.Load(SiglipVisionConfig.FromFile(config), weights, p.EncoderWeightsPath), pixels),
            var other => throw new ArgumentException($"stage_1.params.encoder_cls: unknown encoder '{other}'"),
        };
    }

    /// <summary>Reads a state dict (safetensors or .pt) named by a bundle-relative path.</summary>
    public static Dictionary<string, Tensor> ReadWeights(RaeBundle bundle, string relative) =>
        Checkpoint.ReadStateDict(bundle.Resolve(relative));
}
