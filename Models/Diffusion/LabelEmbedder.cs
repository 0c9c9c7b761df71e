using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// Class-label embedding of model_utils.py. With a positive dropout probability the table has
/// <c>num_classes + 1</c> rows and row <c>num_classes</c> is the null (unconditional) class used by CFG; in
/// training each label is replaced by the null class with that probability (classifier-free guidance dropout).
/// </summary>
public sealed class LabelEmbedder : Module<Tensor, bool, Tensor>
{
    public readonly Embedding embedding_table;

    /// <summary>Number of real classes; also the index of the null class.</summary>
    public int NumClasses { get; }
    /// <summary>Probability of dropping a label to the null class in training.</summary>
    public double DropoutProb { get; }
    /// <summary>Random source of label dropout (CPU generator); null uses torch's global generator.</summary>
    public Generator? DropoutGenerator { get; set; }

    public LabelEmbedder(int numClasses, int hiddenSize, double dropoutProb) : base("LabelEmbedder")
    {
        NumClasses = numClasses;
        DropoutProb = dropoutProb;
        embedding_table = Embedding(numClasses + (dropoutProb > 0 ? 1 : 0), hiddenSize);
        RegisterComponents();
    }

    /// <summary>Replaces labels by the null class where <paramref name="forceDrop"/> is true, or at random.</summary>
    public Tensor TokenDrop(Tensor labels, Tensor? forceDrop = null)
    {
        using var scope = NewDisposeScope();
        var drop = forceDrop is not null
            ? forceDrop.to(ScalarType.Bool).to(labels.device)
            : (rand([labels.shape[0]], generator: DropoutGenerator) < DropoutProb).to(labels.device);
        return where(drop, full_like(labels, NumClasses), labels).MoveToOuterDisposeScope();
    }

    /// <summary>Embeds labels [B] into [B, hidden]; drops labels only when <paramref name="train"/>.</summary>
    public override Tensor forward(Tensor labels, bool train)
    {
        using var scope = NewDisposeScope();
        if (train && DropoutProb > 0) labels = TokenDrop(labels);
        return embedding_table.forward(labels).MoveToOuterDisposeScope();
    }
}
