using static TorchSharp.torch;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// What <see cref="ScaleRaeT2IModel.Condition"/> returns: the per-token condition <paramref name="CondZ"/> [B, L, z], the
/// normed last hidden states at the query positions <paramref name="QueryHiddenStates"/> [B, L, hidden], and the logits
/// at the template's last token <paramref name="NextTokenLogits"/> [B, vocab] (those from which the released model picks
/// the <c>&lt;im_start&gt;</c> that ends the ids).
/// </summary>
public sealed record ScaleRaeConditioning(Tensor CondZ, Tensor QueryHiddenStates, Tensor NextTokenLogits) : IDisposable
{
    public void Dispose()
    {
        CondZ.Dispose();
        QueryHiddenStates.Dispose();
        NextTokenLogits.Dispose();
    }
}
