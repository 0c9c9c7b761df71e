using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Siglip;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>
/// HF <c>SiglipTextEmbeddings</c>: <c>token_embedding[ids] + position_embedding[0..T-1]</c>. The position ids are
/// a non-persistent buffer in HF, so they are not in the state dict; they are made here on the ids' device.
/// </summary>
public sealed class SiglipTextEmbeddings : Module<Tensor, Tensor>
{
    public readonly Embedding token_embedding, position_embedding;

    public SiglipTextEmbeddings(SiglipTextConfig config) : base("SiglipTextEmbeddings")
    {
        token_embedding = Embedding(config.VocabSize, config.HiddenSize);
        position_embedding = Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>[B,T] int64 ids → [B,T,D].</summary>
    public override Tensor forward(Tensor inputIds)
    {
        var t = inputIds.shape[^1];
        var max = position_embedding.weight!.shape[0];
        if (t > max)
            throw new ArgumentException($"sequence length {t} exceeds max_position_embeddings {max}");
        using var scope = NewDisposeScope();
        var positions = arange(t, dtype: ScalarType.Int64, device: inputIds.device);
        return (token_embedding.forward(inputIds) + position_embedding.forward(positions)).MoveToOuterDisposeScope();
    }
}
