using static TorchSharp.torch.nn;
using TorchSharp.Modules;

namespace RAE.Grid.Training.Mae;

/// <summary>
/// MAE's weight-decay split (<c>main_pretrain.py</c>: timm 0.3.2 <c>add_weight_decay(model, wd)</c>, called without a
/// skip list): no decay for 1-D parameters (LayerNorm weights, biases) and any <c>.bias</c>; decay for everything else,
/// which in MAE includes <c>cls_token</c> and <c>mask_token</c> ([1,1,D]). Frozen parameters (the sin-cos tables) are
/// left out. <c>exemptTokens</c> also exempts the two tokens (timm's later <c>no_weight_decay</c> list, used by MAE's
/// fine-tuning, not its pre-training).
/// </summary>
public static class MaeParameterGroups
{
    /// <summary>(decay, noDecay) parameter lists of <paramref name="model"/>'s trainable parameters.</summary>
    public static (List<Parameter> Decay, List<Parameter> NoDecay) Split(Module model, bool exemptTokens = false)
    {
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            bool isToken = name.EndsWith("cls_token", StringComparison.Ordinal) || name.EndsWith("mask_token", StringComparison.Ordinal);
            if (p.dim() == 1 || name.EndsWith(".bias", StringComparison.Ordinal) || (exemptTokens && isToken)) noDecay.Add(p);
            else decay.Add(p);
        }
        return (decay, noDecay);
    }
}
