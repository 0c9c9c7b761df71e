using TorchSharp.Modules;
using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>SiglipModel</c>: <c>vision_model</c>, <c>text_model</c>, and the learned <c>logit_scale</c>/<c>logit_bias</c>
/// (shape [1], as HF stores them). Either tower may be left out (null config), e.g. to score text against image
/// embeddings computed elsewhere; the left-out tower's checkpoint keys are then ignored.
/// </summary>
public sealed class SiglipModel : Module<Tensor, Tensor, SiglipLogits>
{
    public readonly SiglipVisionTransformer? vision_model;
    public readonly SiglipTextTransformer? text_model;
    public readonly Parameter logit_scale, logit_bias;

    /// <summary>A model with placeholder weights; use <see cref="Load"/> for a checkpoint.</summary>
    public SiglipModel(SiglipVisionConfig? vision, SiglipTextConfig? text) : base("SiglipModel")
    {
        vision_model = vision is null ? null : new SiglipVisionTransformer(vision);
        text_model = text is null ? null : new SiglipTextTransformer(text);
        logit_scale = Parameter(zeros(1));
        logit_bias = Parameter(zeros(1));
        RegisterComponents();
    }

    /// <summary>Builds the model and loads a <c>SiglipModel</c> checkpoint strictly (for the towers it has).</summary>
    public static SiglipModel Load(SiglipVisionConfig? vision, SiglipTextConfig? text,
        IReadOnlyDictionary<string, Tensor> stateDict, string sourceName = "SigLIP checkpoint")
    {
        var model = new SiglipModel(vision, text);
        var source = stateDict.Where(kv => !(vision is null && kv.Key.StartsWith("vision_model.", StringComparison.Ordinal))
                                        && !(text is null && kv.Key.StartsWith("text_model.", StringComparison.Ordinal)))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        StateDictLoader.LoadFrozen(model, source, sourceName);
        return model;
    }

    /// <summary>x / ‖x‖₂ over the last dimension.</summary>
    public static Tensor L2Normalize(Tensor x) => x / x.norm(-1, true, 2);

    /// <summary>Scores pooled image embeddings [I,D] against pooled text embeddings [T,D].</summary>
    public SiglipLogits Logits(Tensor imageEmbeds, Tensor textEmbeds)
    {
        using var scope = NewDisposeScope();
        var ie = L2Normalize(imageEmbeds);
        var te = L2Normalize(textEmbeds);
        var perText = matmul(te, ie.t()) * logit_scale.exp() + logit_bias;
        var perImage = perText.t();
        return new SiglipLogits(ie.MoveToOuterDisposeScope(), te.MoveToOuterDisposeScope(),
            perText.MoveToOuterDisposeScope(), perImage.MoveToOuterDisposeScope());
    }

    /// <summary>Full forward: images [I,C,H,W] (normalized pixels) and token ids [T,L] → logits. Both towers required.</summary>
    public SiglipLogits Forward(Tensor pixels, Tensor inputIds, Tensor? attentionMask = null, bool interpolatePosEncoding = false)
    {
        if (vision_model is null || text_model is null)
            throw new InvalidOperationException("SiglipModel.Forward needs both towers; this model was built without one");
        using var scope = NewDisposeScope();
        var image = vision_model.Forward(pixels, interpolatePosEncoding).PoolerOutput
            ?? throw new InvalidOperationException("the vision config has vision_use_head false: no pooled image embedding");
        var text = text_model.Forward(inputIds, attentionMask).PoolerOutput;
        var r = Logits(image, text);
        return new SiglipLogits(r.ImageEmbeds.MoveToOuterDisposeScope(), r.TextEmbeds.MoveToOuterDisposeScope(),
            r.LogitsPerText.MoveToOuterDisposeScope(), r.LogitsPerImage.MoveToOuterDisposeScope());
    }

    public override SiglipLogits forward(Tensor pixels, Tensor inputIds) => Forward(pixels, inputIds);
}
