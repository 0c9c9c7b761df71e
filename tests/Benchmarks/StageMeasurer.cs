namespace RAE.Grid.Benchmarks;

/// <summary>Times one stage at one batch and turns the timings into a <see cref="StageRow"/>.</summary>
public static class StageMeasurer
{
    public static StageRow Measure(StageBench bench, int batch, string dtype, double ceiling, ForwardTimer timer)
    {
        var parts = new List<PartRow>();
        PartRow Part(string name, int count, double flopsPerImage, Func<Func<TorchSharp.torch.Tensor>> make)
        {
            using var scope = TorchSharp.torch.NewDisposeScope(); // the part's inputs
            var m = timer.Time(make());
            var gflop = flopsPerImage * batch / 1e9;
            var rate = gflop / (m.MedianMs / 1e3);
            return new PartRow(name, count, m.MedianMs, gflop, rate, 100 * rate / ceiling, m.Finite);
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
        var totalGFlop = bench.FlopsPerImage * batch / 1e9;
        var gflops = totalGFlop / (ms / 1e3);
        return new StageRow(bench.Name, bench.Description, full ? "full" : "blocks", batch, dtype, ms, ms / batch,
            totalGFlop, gflops, ceiling, 100 * gflops / ceiling, Estimated: !full,
            OutputFinite: parts.All(p => p.OutputFinite), parts);
    }
}
