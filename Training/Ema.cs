using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training;

/// <summary>
/// Exponential moving average of a model's weights, as the official <c>update_ema</c>: after every optimizer step
/// shadow ← decay·shadow + (1 − decay)·model for each parameter; buffers are copied. The shadow is a second module
/// of the same architecture (same state-dict keys and shapes); it starts as a copy of the model, stays in eval
/// mode and never needs gradients.
/// </summary>
public sealed class Ema
{
    readonly (Tensor Model, Tensor Shadow)[] _params;
    readonly (Tensor Model, Tensor Shadow)[] _buffers;

    /// <summary>The averaged module.</summary>
    public Module Shadow { get; }
    /// <summary>The decay per update (the ceiling when <see cref="Warmup"/> is on).</summary>
    public double Decay { get; }
    /// <summary>
    /// Ramp the decay as min(decay, (1 + n)/(10 + n)) over the first updates n (the usual EMA warmup). The official
    /// RAE code has none: over its ~10⁶ steps the initial weights' share decay·ⁿ vanishes, but over a toy run of a
    /// few hundred steps at 0.999 the shadow would still be mostly the (zero-output) initialisation.
    /// </summary>
    public bool Warmup { get; }
    /// <summary>Updates done so far (restore it when resuming so the warmup continues where it was).</summary>
    public long Updates { get; set; }

    /// <summary>Pairs <paramref name="model"/> and <paramref name="shadow"/> by key and copies the model into the shadow.</summary>
    public Ema(Module model, Module shadow, double decay, bool warmup = false)
    {
        Warmup = warmup;
        if (decay is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(decay), $"EMA decay must be in [0, 1], got {decay}");
        Decay = decay;
        Shadow = shadow;
        var shadowParams = shadow.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        _params = model.named_parameters().Select(p => ((Tensor)p.parameter, Pair(shadowParams, p.name, p.parameter))).ToArray();
        var shadowBuffers = shadow.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        _buffers = model.named_buffers().Select(b => (b.buffer, Pair(shadowBuffers, b.name, b.buffer))).ToArray();
        foreach (var p in shadow.parameters()) p.requires_grad = false;
        shadow.eval();
        CopyFromModel();
    }

    static Tensor Pair(Dictionary<string, Tensor> shadow, string name, Tensor model)
    {
        if (!shadow.TryGetValue(name, out var s))
            throw new ArgumentException($"EMA shadow has no '{name}'");
        if (!s.shape.SequenceEqual(model.shape))
            throw new ArgumentException($"EMA shadow '{name}' is [{string.Join(",", s.shape)}], model [{string.Join(",", model.shape)}]");
        return s;
    }

    /// <summary>shadow ← model exactly.</summary>
    public void CopyFromModel()
    {
        using var _ = no_grad();
        foreach (var (m, s) in _params) s.copy_(m);
        foreach (var (m, s) in _buffers) s.copy_(m);
    }

    /// <summary>One EMA update (call after each optimizer step).</summary>
    public void Update()
    {
        using var _ = no_grad();
        var decay = Warmup ? Math.Min(Decay, (1.0 + Updates) / (10.0 + Updates)) : Decay;
        foreach (var (m, s) in _params) s.mul_(decay).add_(m.detach(), alpha: 1 - decay);
        foreach (var (m, s) in _buffers) s.copy_(m);
        Updates++;
    }
}
