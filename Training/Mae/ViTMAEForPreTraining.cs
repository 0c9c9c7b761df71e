using TorchSharp.Modules;
using RAE.Grid.Models.Encoders.Mae;
using RAE.Grid.Models.Layers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training.Mae;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>ViTMAEForPreTraining</c>: the encoder <c>vit</c> (the existing <see cref="ViTMAEModel"/>) and the
/// pre-training decoder <c>decoder</c>, with HF's <c>patchify</c> and <c>forward_loss</c>. Its state dict has exactly
/// the <c>vit.*</c> and <c>decoder.*</c> keys of <c>facebook/vit-mae-base</c>, so <see cref="ViTMAEModel.Load"/> reads
/// a saved one strictly. A new model is initialized as HF <c>_init_weights</c> does (see <see cref="InitializeWeights"/>).
/// </summary>
public sealed class ViTMAEForPreTraining : Module<Tensor, Tensor>
{
    public readonly ViTMAEModel vit;
    public readonly ViTMAEDecoder decoder;

    /// <summary>The configuration the model was built from.</summary>
    public ViTMAEPreTrainingConfig Config { get; }

    /// <summary>Builds the model and initializes it from <paramref name="generator"/> (null = the global generator).</summary>
    public ViTMAEForPreTraining(ViTMAEPreTrainingConfig config, Generator? generator = null) : base("ViTMAEForPreTraining")
    {
        Config = config.Validated();
        vit = new ViTMAEModel(config.Encoder);
        decoder = new ViTMAEDecoder(config);
        RegisterComponents();
        InitializeWeights(generator);
    }

    /// <summary>
    /// HF <c>ViTMAEPreTrainedModel._init_weights</c> as applied by <c>post_init</c> (children first, so the embeddings'
    /// own <c>initialize_weights</c> runs after the generic Conv2d rule): every Linear weight N(0, initializer_range²)
    /// (the original MAE code uses xavier_uniform here; HF's rule is the one taken), biases 0, LayerNorm 1/0; the patch
    /// projection xavier_uniform on its [D, C·p·p] view with bias 0; <c>cls_token</c> and <c>mask_token</c>
    /// N(0, 0.02²); both position tables the fixed 2-D sin-cos (zero CLS row) without gradient. HF 4.56 would then
    /// zero <c>mask_token</c> and <c>decoder_pos_embed</c> in its decoder branch; that is not followed (MAE keeps them).
    /// </summary>
    public void InitializeWeights(Generator? generator = null)
    {
        var std = Config.InitializerRange;
        using var _ = no_grad();
        foreach (var (_, m) in named_modules())
        {
            switch (m)
            {
                case Linear l:
                    l.weight!.normal_(0, std, generator);
                    l.bias?.zero_();
                    break;
                case LayerNorm ln:
                    ln.weight!.fill_(1.0);
                    ln.bias!.zero_();
                    break;
            }
        }
        var proj = vit.embeddings.patch_embeddings.projection;
        var w = proj.weight!;
        var fanOut = w.shape[0];
        var fanIn = w.numel() / fanOut;
        var bound = Math.Sqrt(6.0 / (fanIn + fanOut)); // xavier_uniform_ on the [D, C·p·p] view, gain 1
        w.uniform_(-bound, bound, generator);
        proj.bias?.zero_();
        vit.embeddings.cls_token.normal_(0, std, generator);
        decoder.mask_token.normal_(0, std, generator);
        var e = Config.Encoder;
        vit.embeddings.position_embeddings.copy_(SinCosPositionEmbedding.Build(e.HiddenSize, e.PositionGridSize, clsToken: true).unsqueeze(0));
        decoder.decoder_pos_embed.copy_(SinCosPositionEmbedding.Build(Config.DecoderHiddenSize, e.PositionGridSize, clsToken: true).unsqueeze(0));
        vit.embeddings.position_embeddings.requires_grad = false;
        decoder.decoder_pos_embed.requires_grad = false;
    }

    /// <summary>HF <c>patchify</c>: [B,C,H,W] → [B,(H/p)(W/p),p²·C], order n c h p w q → n h w p q c.</summary>
    public Tensor Patchify(Tensor pixels)
    {
        if (pixels.shape[1] != Config.Encoder.NumChannels)
            throw new ArgumentException($"pixels have {pixels.shape[1]} channels, the config {Config.Encoder.NumChannels}", nameof(pixels));
        return RAE.Grid.Models.Layers.Patchify.ToPatches(pixels, Config.Encoder.PatchSize);
    }

    /// <summary>
    /// HF <c>forward_loss</c>: target = patchify(pixels), per patch normalized to zero mean and unit variance when
    /// <c>norm_pix_loss</c> (unbiased variance, as torch's <c>var</c> default, + 1e-6); per-patch mean of the squared
    /// error; averaged over the masked patches only (Σ loss·mask / Σ mask).
    /// </summary>
    public Tensor ForwardLoss(Tensor pixels, Tensor pred, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var target = Patchify(pixels);
        if (Config.NormPixLoss)
        {
            var mean = target.mean([-1], keepdim: true);
            var var = target.var(-1, unbiased: true, keepdim: true);
            target = (target - mean) / (var + 1e-6).sqrt();
        }
        var loss = (pred - target).square().mean([-1]);
        return ((loss * mask).sum() / mask.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>Random-masking noise U(0,1) of shape [B,N] from <paramref name="generator"/> (HF draws the same when given none).</summary>
    public Tensor MaskingNoise(long batch, Device device, Generator? generator) =>
        rand([batch, Config.NumPatches], device: device, generator: generator);

    /// <summary>
    /// HF forward on normalized pixels [B,C,H,W] (image_size², no interpolation): encoder with random masking driven
    /// by <paramref name="noise"/> (through <see cref="ViTMAEEmbeddings"/>; null = U(0,1) from the global generator)
    /// at the model's mask ratio, decoder, loss.
    /// </summary>
    public ViTMAEPreTrainingOutput Forward(Tensor pixels, Tensor? noise = null)
    {
        using var scope = NewDisposeScope();
        var enc = vit.Forward(pixels, noise);
        var logits = decoder.forward(enc.LastHiddenState, enc.Embedding.IdsRestore);
        var loss = ForwardLoss(pixels, logits, enc.Embedding.Mask);
        return new ViTMAEPreTrainingOutput(loss.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope(),
            enc.Embedding.Mask.MoveToOuterDisposeScope(), enc.Embedding.IdsRestore.MoveToOuterDisposeScope());
    }

    /// <summary>The loss with U(0,1) noise from the global generator.</summary>
    public override Tensor forward(Tensor pixels) => Forward(pixels).Loss;
}
