using TorchSharp;
using TorchSharp.Modules;
using RAE.Grid.Models.Layers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training.Mae;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>ViTMAEDecoder</c> (the MAE pre-training decoder, <c>decoder.*</c> in <c>facebook/vit-mae-base</c>):
/// <c>decoder_embed</c> (D → Dd), <c>mask_token</c> [1,1,Dd], <c>decoder_pos_embed</c> [1,1+N,Dd] (fixed 2-D sin-cos
/// with a zero CLS row, a stored parameter without gradient), <c>decoder_layers.N</c>, <c>decoder_norm</c>,
/// <c>decoder_pred</c> (Dd → p²·C).
/// </summary>
public sealed class ViTMAEDecoder : Module<Tensor, Tensor, Tensor>
{
    public readonly Linear decoder_embed;
    public readonly Parameter mask_token;
    public readonly Parameter decoder_pos_embed;
    public readonly ModuleList<ViTMAELayer> decoder_layers;
    public readonly LayerNorm decoder_norm;
    public readonly Linear decoder_pred;

    /// <summary>Builds the decoder with its sin-cos table filled in; the other weights are initialized by <see cref="ViTMAEForPreTraining"/>.</summary>
    public ViTMAEDecoder(ViTMAEPreTrainingConfig config) : base("ViTMAEDecoder")
    {
        config.Validated();
        var e = config.Encoder;
        var dd = config.DecoderHiddenSize;
        decoder_embed = Linear(e.HiddenSize, dd, hasBias: true);
        mask_token = Parameter(zeros(1, 1, dd));
        decoder_pos_embed = Parameter(
            SinCosPositionEmbedding.Build(dd, e.PositionGridSize, clsToken: true).unsqueeze(0), requires_grad: false);
        decoder_layers = new ModuleList<ViTMAELayer>();
        for (int i = 0; i < config.DecoderNumHiddenLayers; i++)
            decoder_layers.Add(new ViTMAELayer(dd, config.DecoderNumAttentionHeads, config.DecoderIntermediateSize,
                e.LayerNormEps, e.HiddenAct, e.QkvBias));
        decoder_norm = LayerNorm(dd, e.LayerNormEps);
        decoder_pred = Linear(dd, config.PatchDim, hasBias: true);
        RegisterComponents();
    }

    /// <summary>
    /// HF forward: embed the encoder's [B,1+kept,D] tokens, append mask tokens, unshuffle with
    /// <paramref name="idsRestore"/> [B,N], add the position table, run the layers, norm, predict, drop CLS.
    /// Returns the per-patch predictions [B,N,p²·C] in the original token order.
    /// </summary>
    public override Tensor forward(Tensor hiddenStates, Tensor idsRestore)
    {
        using var scope = NewDisposeScope();
        var x = decoder_embed.forward(hiddenStates);
        var (b, kept1, dd) = (x.shape[0], x.shape[1], x.shape[2]);
        var n = idsRestore.shape[1];
        var maskTokens = mask_token.expand(b, n + 1 - kept1, dd);
        var patches = cat([x[.., 1..], maskTokens], 1); // no CLS
        patches = gather(patches, 1, idsRestore.to(x.device).unsqueeze(-1).expand(-1, -1, dd));
        var h = cat([x[.., ..1], patches], 1) + decoder_pos_embed;
        foreach (var layer in decoder_layers) h = layer.forward(h);
        h = decoder_norm.forward(h);
        return decoder_pred.forward(h)[.., 1..].MoveToOuterDisposeScope();
    }
}
