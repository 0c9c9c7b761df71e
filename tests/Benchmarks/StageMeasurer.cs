using static TorchSharp.torch;

namespace RAE.Grid.Benchmarks;

/// <summary>Times one stage at one batch and turns the timings into a <see cref="StageRow"/> (ceiling not yet set).</summary>
public static class StageMeasurer
{
    public static StageRow Measure(StageBench bench, int batch, string dtype, ForwardTimer timer)
    {
        var parts = new List<PartRow>();
        PartRow Part(string name, int count, double flopsPerImage, Func<Func<Tensor>> make)
        {
            using var scope = NewDisposeScope(); // the part's inputs
            var m = timer.Time(make());
            var gflop = flopsPerImage * batch / 1e9;
            return new PartRow(name, count, m.MedianMs, gflop, gflop / (m.MedianMs / 1e3), m.Finite);
        }

        var full = bench.Mode == BenchMode.Full;
        parts.Add(Part(full ? "whole forward" : "depth-1 model forward", 1, bench.BuiltFlopsPerImage,
            () => bench.Forward(batch)));
        if (!full)
            for (var i = 0; i < bench.Blocks.Count; i++)
            {
                var spec = bench.Blocks[i];
                var index = i;
                if (spec.Depth > 1)
                    parts.Add(Part(spec.Name, spec.Depth - 1, spec.Shape.Flops, () => bench.Block(index, batch)));
            }

        var ms = parts.Sum(p => p.Count * p.Ms);
        var gflopTotal = bench.FlopsPerImage * batch / 1e9;
        return new StageRow(bench.Name, bench.Description, full ? "full" : "blocks", batch, dtype, ms, ms / batch,
            gflopTotal, gflopTotal / (ms / 1e3), Estimated: !full, OutputFinite: parts.All(p => p.OutputFinite), parts);
    }
}
