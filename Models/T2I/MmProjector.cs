using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// Scale-RAE's multimodal projector, type <c>mlp2x_gelu</c> (<c>multimodal_projector/builder.build_vision_projector</c>):
/// Linear(mm_hidden → hidden), exact GELU, Linear(hidden → hidden), as an <c>nn.Sequential</c>, so its checkpoint keys
/// are <c>model.mm_projector.0.*</c> and <c>model.mm_projector.2.*</c> (index 1 is the parameter-free GELU). It maps
/// SigLIP-2 latent tokens into the LLM's embedding space, for understanding (the latent verifiers) and for reading a
/// generated latent back.
/// </summary>
public sealed class MmProjector : Module<Tensor, Tensor>
{
    /// <summary>The only projector type the released T2I models use.</summary>
    public const string Type = "mlp2x_gelu";

    private readonly Sequential _layers;

    /// <summary>A projector from <paramref name="mmHiddenSize"/> (the latent channels) to <paramref name="hiddenSize"/> (the LLM width).</summary>
    public MmProjector(long mmHiddenSize, long hiddenSize, string type = Type) : base("mm_projector")
    {
        if (type != Type) throw new ArgumentException($"mm_projector_type: '{type}' is not supported ({Type})");
        _layers = Sequential(("0", Linear(mmHiddenSize, hiddenSize)), ("1", GELU()), ("2", Linear(hiddenSize, hiddenSize)));
        // Registered under the Sequential's own indices, so the keys are mm_projector.0.* and mm_projector.2.*.
        foreach (var (name, module) in _layers.named_children()) register_module(name, module);
    }

    /// <summary>
    /// Nothing to add: the layers are registered under their indices in the constructor. TorchSharp registers a child's
    /// fields when it is attached to a parent, which would add a second copy of them as <c>_layers.*</c>.
    /// </summary>
    protected override void RegisterComponents() { }

    /// <summary>Latent tokens [B, N, mm_hidden] → LLM embeddings [B, N, hidden].</summary>
    public override Tensor forward(Tensor tokens) => _layers.forward(tokens);
}
