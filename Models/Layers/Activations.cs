using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Layers;

/// <summary>HF activation names (ACT2FN) used by the configs this project loads.</summary>
public static class Activations
{
    /// <summary>"gelu" = exact erf GELU; "gelu_pytorch_tanh"/"gelu_new" = tanh approximation; "silu"/"swish"; "relu".</summary>
    public static Func<Tensor, Tensor> Get(string name) => name switch
    {
        "gelu" => x => functional.gelu(x),
        "gelu_pytorch_tanh" or "gelu_new" or "gelu_fast" => x => functional.gelu(x, approximate: TorchSharp.Modules.GELU.Approximate.tanh),
        "silu" or "swish" => x => functional.silu(x),
        "relu" => x => functional.relu(x),
        _ => throw new ArgumentException($"unsupported hidden_act '{name}' (supported: gelu, gelu_pytorch_tanh, gelu_new, silu, relu)"),
    };
}
