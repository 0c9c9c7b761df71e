using System.Diagnostics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// Benchmark 3: round trips of a 768×16×16 fp32 latent (786,432 bytes, an [Immutable] <see cref="TensorPayload"/>) from
/// silo A to an echo grain placed on silo B (two real silos of one cluster, loopback TCP) vs an echo grain on A itself
/// (the same call without the wire). Calls are issued from silo A's own grain factory, one at a time, the two targets
/// interleaved so both see the same machine load. One hop = round trip / 2. An 8-byte payload across silos gives the
/// fixed cost of a hop.
/// </summary>
public static class HopBenchmark
{
    public static readonly long[] LatentShape = [768, 16, 16];

    public static async Task RunAsync(BenchOptions o, BenchSilo a, BenchSilo b)
    {
        Report.Header("3. Per-hop latency of a 768×16×16 fp32 latent between silos");
        var bytes = new byte[LatentShape.Aggregate(1L, (x, y) => x * y) * 4];
        new Random(3).NextBytes(bytes);
        var latent = new TensorPayload("F32", LatentShape, bytes).Validated();
        var tiny = new TensorPayload("F32", [2], new byte[8]);
        var remote = a.Grains.GetGrain<IEchoGrain>(StageKeys.For("echo", b.Address));
        var local = a.Grains.GetGrain<IEchoGrain>(StageKeys.For("echo", a.Address));
        Report.Line($"  payload {latent}; caller on silo A {a.Address}, remote echo on silo B {b.Address}; " +
                    $"{o.Hops} timed round trips per row after 30 warm-up ones, sequential, rows interleaved; hop = RTT/2; MB/s = 2 × payload / RTT p50");

        var cases = new (string Name, IEchoGrain Grain, TensorPayload Payload)[]
        {
            ("A → B → A (other silo)", remote, latent),
            ("A → A (same silo)", local, latent),
            ("A → B → A, 8-byte payload", remote, tiny),
        };
        foreach (var c in cases)
            for (int i = 0; i < 30; i++) Check(await c.Grain.Echo(c.Payload), c.Payload);

        var samples = cases.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < o.Hops; i++)
            for (int k = 0; k < cases.Length; k++)
            {
                var sw = Stopwatch.StartNew();
                var back = await cases[k].Grain.Echo(cases[k].Payload);
                samples[k].Add(sw.Elapsed.TotalMilliseconds);
                Check(back, cases[k].Payload);
            }

        var rows = cases.Select((c, k) =>
        {
            var s = samples[k];
            double p50 = Report.Percentile(s, 50);
            var mbps = 2.0 * c.Payload.Data.Length / (p50 / 1000) / 1e6;
            return new[]
            {
                c.Name, Report.F(p50 / 2, 3), Report.F(Report.Percentile(s, 90) / 2, 3), Report.F(Report.Percentile(s, 99) / 2, 3),
                Report.F(p50, 3), Report.F(Report.Percentile(s, 90), 3), Report.F(Report.Percentile(s, 99), 3), c.Payload.Data.Length < 1024 ? "-" : Report.F(mbps, 0),
            };
        });
        Report.Table(["route", "hop p50 ms", "hop p90", "hop p99", "RTT p50 ms", "RTT p90", "RTT p99", "MB/s @p50"], rows);
        Report.Ratio($"hop latency other-silo/same-silo (RTT p50): {Report.F(Report.Median(samples[0]) / Report.Median(samples[1]), 1)}" +
                     $" ({Report.F(Report.Median(samples[0]) / 2, 3)} ms vs {Report.F(Report.Median(samples[1]) / 2, 3)} ms per hop)");
    }

    // A cross-silo echo must come back whole; a same-silo one is the very object (no copy: [Immutable]).
    static void Check(TensorPayload back, TensorPayload sent)
    {
        if (back.Data.Length != sent.Data.Length || back.DType != sent.DType || !back.Shape.SequenceEqual(sent.Shape))
            throw new InvalidOperationException($"echo returned {back}, sent {sent}");
    }
}
