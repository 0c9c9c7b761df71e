using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.T2I;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// Scale-RAE's <c>ConditionEmbedder</c> (<c>use_mlp=False</c>): passes the per-token condition [B, L, z] through and
/// owns the learned null condition <c>dropout_embedding</c> [z] used for classifier-free guidance. In training it
/// replaces the whole condition of a random <c>dropout_prob</c> share of the samples; in eval it never does.
/// </summary>
public sealed class ConditionEmbedder : Module<Tensor, bool, Tensor>
{
    public readonly Parameter dropout_embedding;

    /// <summary>Probability of dropping a sample's condition in training.</summary>
    public double DropoutProb { get; }
    /// <summary>Random source of condition dropout (CPU generator); null uses torch's global generator.</summary>
    public Generator? DropoutGenerator { get; set; }

    public ConditionEmbedder(int zChannels, double dropoutProb) : base("ConditionEmbedder")
    {
        DropoutProb = dropoutProb;
        dropout_embedding = new Parameter(zeros(zChannels));
        RegisterComponents();
    }

    /// <summary>The null condition broadcast to the shape of <paramref name="cond"/> [B, L, z].</summary>
    public Tensor Null(Tensor cond)
    {
        using var scope = NewDisposeScope();
        return dropout_embedding.to(cond.dtype, cond.device).expand(cond.shape).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Returns <paramref name="cond"/>, with random samples nulled when <paramref name="train"/>.</summary>
    public override Tensor forward(Tensor cond, bool train)
    {
        if (!train || DropoutProb <= 0) return cond.alias();
        using var scope = NewDisposeScope();
        var drop = (rand([cond.shape[0]], generator: DropoutGenerator) < DropoutProb).to(cond.device).view(-1, 1, 1);
        return where(drop, Null(cond), cond).MoveToOuterDisposeScope();
    }
}
