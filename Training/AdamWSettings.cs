using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RAE.Grid.Training;

/// <summary>
/// AdamW hyper-parameters. The defaults are the official RAE recipe for both stages: lr 2e-4, betas (0.9, 0.95),
/// weight decay 0, eps 1e-8 (rae-reference §2.2, §3.2).
/// </summary>
public sealed record AdamWSettings(double Lr = 2e-4, double Beta1 = 0.9, double Beta2 = 0.95, double WeightDecay = 0, double Eps = 1e-8)
{
    /// <summary>Throws naming the first bad field.</summary>
    public AdamWSettings Validate()
    {
        if (!(Lr > 0)) throw new ArgumentException($"lr must be > 0, got {Lr}");
        if (Beta1 is < 0 or >= 1) throw new ArgumentException($"beta1 must be in [0, 1), got {Beta1}");
        if (Beta2 is < 0 or >= 1) throw new ArgumentException($"beta2 must be in [0, 1), got {Beta2}");
        if (WeightDecay < 0) throw new ArgumentException($"weight_decay must be >= 0, got {WeightDecay}");
        if (!(Eps > 0)) throw new ArgumentException($"eps must be > 0, got {Eps}");
        return this;
    }

    /// <summary>AdamW over the trainable parameters given (those with requires_grad).</summary>
    public optim.Optimizer Create(IEnumerable<Parameter> parameters)
    {
        Validate();
        return optim.AdamW(parameters.Where(p => p.requires_grad), Lr, Beta1, Beta2, Eps, WeightDecay);
    }

    /// <summary>
    /// AdamW with two groups: weight decay on <paramref name="decay"/>, none on <paramref name="noDecay"/> (e.g. MAE's
    /// groups: biases and other 1-D parameters undecayed; see <c>Mae.MaeParameterGroups</c>).
    /// </summary>
    public optim.Optimizer Create(IEnumerable<Parameter> decay, IEnumerable<Parameter> noDecay)
    {
        Validate();
        var groups = new List<AdamW.ParamGroup>
        {
            new(decay.Where(p => p.requires_grad), new AdamW.Options { LearningRate = Lr, weight_decay = WeightDecay }),
            new(noDecay.Where(p => p.requires_grad), new AdamW.Options { LearningRate = Lr, weight_decay = 0 }),
        };
        return optim.AdamW(groups, Lr, Beta1, Beta2, Eps, WeightDecay);
    }
}
