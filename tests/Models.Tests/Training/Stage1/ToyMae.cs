using RAE.Grid.Models.Encoders;
using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Layers;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Training.Stage1;

/// <summary>A random, frozen tiny ViT-MAE RAE encoder for 28×28 images (patch 7 → 4×4 tokens); no pretraining needed.</summary>
internal static class ToyMae
{
    public static RaeEncoder Create(long seed = 7, int hidden = 32, int layers = 2, int heads = 2, int mlp = 64,
        double noiseTau = 0.8, NoiseSigmaDistribution distribution = NoiseSigmaDistribution.Uniform)
    {
        random.manual_seed(seed);
        var config = new ViTMAEConfig(HiddenSize: hidden, NumHiddenLayers: layers, NumAttentionHeads: heads,
            IntermediateSize: mlp, ImageSize: 28, PatchSize: 7);
        var model = new ViTMAEModel(config);
        using (no_grad())
        {
            // The official ViT-MAE init: a fixed sin-cos position table and a small random CLS token.
            model.embeddings.position_embeddings.copy_(SinCosPositionEmbedding.Build(hidden, 4, clsToken: true).unsqueeze(0));
            model.embeddings.cls_token.copy_(randn(1, 1, hidden) * 0.02);
        }
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        var encoder = new RaeEncoder(new MAEwNorm(model), new RaeEncoderOptions(28, noiseTau, distribution));
        encoder.eval();
        return encoder;
    }
}
