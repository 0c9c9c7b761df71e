using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Benchmarks;

/// <summary>One linear layer of a block timed alone.</summary>
public sealed record LinearTiming(string Name, double Ms, double GflopPerSecond);

/// <summary>
/// Where one block's time goes: the block timed whole on inputs laid out as in the real forward and again on
/// contiguous copies (the difference is the cost of the layout), its linear layers timed alone at the same shapes
/// on contiguous inputs, and scaled-dot-product attention timed alone; the rest of the contiguous block time is the
/// non-matmul work (norms, activations, adaLN modulation, RoPE, reshapes and copies). Each share is compared with
/// what it would cost at the matmul ceiling.
/// </summary>
public sealed record BlockAnatomy(
    string Stage, string Block, int Batch, string Dtype, long Tokens, long Width, double Ceiling,
    double BlockMs, double ContiguousBlockMs, double BlockGflop, double LinearMs, double LinearGflop, double AttentionMs, double AttentionGflop,
    IReadOnlyList<LinearTiming> Linears)
{
    /// <summary>What the real layout of the inputs costs over contiguous inputs.</summary>
    public double LayoutMs => Math.Max(0, BlockMs - ContiguousBlockMs);

    /// <summary>Contiguous block time not spent in the linear layers or in attention.</summary>
    public double OtherMs => Math.Max(0, ContiguousBlockMs - LinearMs - AttentionMs);

    /// <summary>Time above what the FLOPs would take at the ceiling.</summary>
    public double LinearLostMs => Math.Max(0, LinearMs - LinearGflop / Ceiling * 1e3);
    public double AttentionLostMs => Math.Max(0, AttentionMs - AttentionGflop / Ceiling * 1e3);

    /// <summary>Times block <paramref name="index"/> of <paramref name="bench"/> and its matmuls on their own.</summary>
    public static BlockAnatomy Measure(StageBench bench, int index, int batch, string dtype, double ceiling, ForwardTimer timer)
    {
        var spec = bench.Blocks[index];
        var shape = spec.Shape;
        double Time(Func<Func<Tensor>> make)
        {
            using var scope = NewDisposeScope();
            return timer.Time(make()).MedianMs;
        }
        Tensor Rand(params long[] s) => randn(s, dtype: bench.DType, device: bench.Device);

        var blockMs = Time(() => bench.Block(index, batch));
        var contiguousMs = Time(() => bench.Block(index, batch, contiguous: true));
        var linears = new List<LinearTiming>();
        foreach (var l in shape.Linears)
        {
            var rows = batch * (l.PerToken ? shape.Tokens : 1);
            var ms = Time(() =>
            {
                var x = Rand(rows, l.In);
                var w = Rand(l.Out, l.In) * 0.02;
                var b = Rand(l.Out);
                return () => functional.linear(x, w, b);
            });
            linears.Add(new LinearTiming(l.Name, ms, FlopCount.Linear(rows, l.In, l.Out) / 1e9 / (ms / 1e3)));
        }
        var headDim = shape.Width / shape.Heads;
        var attentionMs = Time(() =>
        {
            var (q, k, v) = (Rand(batch, shape.Heads, shape.Tokens, headDim), Rand(batch, shape.Heads, shape.Tokens, headDim),
                Rand(batch, shape.Heads, shape.Tokens, headDim));
            return () => functional.scaled_dot_product_attention(q, k, v);
        });
        return new BlockAnatomy(bench.Name, spec.Name, batch, dtype, shape.Tokens, shape.Width, ceiling, blockMs, contiguousMs, shape.Flops * batch / 1e9,
            linears.Sum(l => l.Ms), shape.LinearFlops * batch / 1e9, attentionMs, shape.AttentionFlops * batch / 1e9,
            linears);
    }

    /// <summary>The largest loss against the ceiling, in words.</summary>
    public string Reason()
    {
        var linearRate = LinearGflop / (LinearMs / 1e3);
        var attnShareTime = 100 * AttentionMs / BlockMs;
        var attnShareFlops = 100 * AttentionGflop / BlockGflop;
        var losses = new (double Ms, string Text)[]
        {
            (LayoutMs, $"its token tensors arrive non-contiguous (timm PatchEmbed's flatten(2).transpose(1, 2) view, kept by every residual add): the block takes {BlockMs:F1} ms on them and {ContiguousBlockMs:F1} ms on contiguous copies"),
            (OtherMs, $"non-matmul ops (norms, GELU/SiLU, adaLN modulate, RoPE, reshapes/copies) take {100 * OtherMs / BlockMs:F0}% of the block time"),
            (LinearLostMs, $"its linear layers alone (rows = batch·tokens = {Batch}·{Tokens}, width {Width}) reach only {100 * linearRate / Ceiling:F0}% of the ceiling on their own"),
            (AttentionLostMs, $"attention (SDPA with softmax) takes {attnShareTime:F0}% of the time for {attnShareFlops:F0}% of the FLOPs"),
        };
        return losses.MaxBy(l => l.Ms).Text;
    }
}
