using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Llm;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>HF <c>Qwen2MLP</c> (SwiGLU): <c>down_proj(act(gate_proj(x)) · up_proj(x))</c>, no biases.</summary>
public sealed class Qwen2MLP : Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> _act;
    public readonly Linear gate_proj, up_proj, down_proj;

    public Qwen2MLP(Qwen2Config config) : base("Qwen2MLP")
    {
        gate_proj = Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        up_proj = Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        down_proj = Linear(config.IntermediateSize, config.HiddenSize, hasBias: false);
        _act = RAE.Grid.Models.Layers.Activations.Get(config.HiddenAct);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return down_proj.forward(_act(gate_proj.forward(x)) * up_proj.forward(x)).MoveToOuterDisposeScope();
    }
}
