using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Decoders;

#pragma warning disable IDE1006 // field names mirror the official checkpoint keys

/// <summary>
/// The official RAE pixel decoder (<c>stage1/decoders/decoder.py</c> <c>GeneralDecoder</c>): an MAE-style ViT
/// decoder over encoder tokens. Tokens [B,N,C] → <c>decoder_embed</c> → bilinear resize of the token grid when N
/// differs from num_patches → prepend <c>trainable_cls_token</c> → + <c>decoder_pos_embed</c> → ViTMAE layers →
/// <c>decoder_norm</c> → <c>decoder_pred</c> → drop CLS → logits [B, num_patches, p·p·channels].
/// </summary>
/// <remarks>
/// <c>decoder_pos_embed</c> [1, 1+num_patches, W] is the fixed 2-D sin-cos table with a zero CLS row, a parameter
/// without grad that is part of the state dict and is loaded from the checkpoint like every other key.
/// <c>trainable_cls_token</c> is the one optional key (<see cref="OptionalKeys"/>): converters of the released
/// <c>model.pt</c> may drop it, and a checkpoint without it keeps the zero init of the official constructor.
/// </remarks>
public sealed class GeneralDecoder : Module<Tensor, Tensor>
{
    /// <summary>Keys a checkpoint may lack: <c>trainable_cls_token</c> (then it stays zero, its official init).</summary>
    public static readonly IReadOnlyCollection<string> OptionalKeys = ["trainable_cls_token"];

    public readonly Linear decoder_embed;
    public readonly Parameter decoder_pos_embed;
    public readonly ModuleList<ViTMAELayer> decoder_layers;
    public readonly LayerNorm decoder_norm;
    public readonly Linear decoder_pred;
    public readonly Parameter trainable_cls_token;

    /// <summary>The configuration this decoder was built from (validated).</summary>
    public DecoderConfig Config { get; }

    /// <summary>Tokens per image after <see cref="InterpolateLatent"/>: (image_size / patch_size)².</summary>
    public int NumPatches => Config.NumPatches;

    /// <summary>Builds the decoder with the official initial values of the fixed tensors (sin-cos table, zero CLS).</summary>
    public GeneralDecoder(DecoderConfig config) : base("GeneralDecoder")
    {
        Config = config.Validated();
        int width = config.DecoderHiddenSize;
        decoder_embed = Linear(config.HiddenSize, width);
        var table = SinCosPositionEmbedding.Build(width, config.GridSize, clsToken: true).unsqueeze(0);
        decoder_pos_embed = Parameter(table, requires_grad: false);
        decoder_layers = ModuleList(Enumerable.Range(0, config.DecoderNumHiddenLayers)
            .Select(_ => new ViTMAELayer(width, config.DecoderNumAttentionHeads, config.DecoderIntermediateSize,
                config.LayerNormEps, config.HiddenAct, config.QkvBias)).ToArray());
        decoder_norm = LayerNorm(width, config.LayerNormEps);
        decoder_pred = Linear(width, config.PatchDim);
        trainable_cls_token = Parameter(zeros(1, 1, width));
        RegisterComponents();
    }

    /// <summary>RAE.decode's call: <c>decoder(tokens, drop_cls_token=False).logits</c>.</summary>
    public override Tensor forward(Tensor tokens) => Forward(tokens, dropClsToken: false);

    /// <summary>
    /// Decodes tokens [B,N,hidden_size] to logits [B, num_patches, p·p·channels]. With
    /// <paramref name="dropClsToken"/> the first input token is discarded after <c>decoder_embed</c> (the
    /// Scale-RAE convention, where the encoder's CLS token is passed along with the patch tokens).
    /// </summary>
    public Tensor Forward(Tensor tokens, bool dropClsToken)
    {
        if (tokens.dim() != 3 || tokens.shape[2] != Config.HiddenSize)
            throw new ArgumentException(
                $"decoder input must be [B, N, {Config.HiddenSize}], got [{string.Join(",", tokens.shape)}]", nameof(tokens));
        using var scope = NewDisposeScope();
        var x = decoder_embed.forward(tokens);
        if (dropClsToken) x = x[.., 1..];
        x = InterpolateLatent(x);
        var cls = trainable_cls_token.expand(x.shape[0], -1, -1);
        x = cat([cls, x], 1) + decoder_pos_embed;
        foreach (var layer in decoder_layers) x = layer.forward(x);
        var logits = decoder_pred.forward(decoder_norm.forward(x));
        return logits[.., 1..].MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The official <c>interpolate_latent</c>: a square grid of L ≠ num_patches embedded tokens [B,L,W] is resized
    /// bilinearly (align_corners=False, no antialias) to the decoder's grid; L = num_patches passes through.
    /// </summary>
    public Tensor InterpolateLatent(Tensor x)
    {
        var (b, l, c) = (x.shape[0], x.shape[1], x.shape[2]);
        if (l == NumPatches) return x;
        var side = (long)Math.Round(Math.Sqrt(l));
        if (side * side != l)
            throw new ArgumentException($"cannot resize {l} tokens to the decoder's {NumPatches}: {l} is not a square grid");
        var grid = x.reshape(b, side, side, c).permute(0, 3, 1, 2);
        var g = Config.GridSize;
        var resized = functional.interpolate(grid, size: [g, g], mode: InterpolationMode.Bilinear, align_corners: false);
        return resized.permute(0, 2, 3, 1).contiguous().view(b, NumPatches, c);
    }

    /// <summary>
    /// Loads an official decoder state dict by key name, strictly except for <see cref="OptionalKeys"/>; any other
    /// missing, unexpected or mis-shaped key raises a <see cref="StateDictMismatchException"/> naming it.
    /// </summary>
    public void LoadCheckpoint(IReadOnlyDictionary<string, Tensor> stateDict, string sourceName) =>
        StateDictLoader.Load(this, stateDict, sourceName, optional: OptionalKeys);
}
