using System.Diagnostics;
using System.Diagnostics.Metrics;
using RAE.Grid.Client;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Models.Rae;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// The data path: (1) grid ÷ in-process throughput on the same batch (<see cref="ThroughputBenchmark"/>), and (2) the
/// bytes Orleans sends between silos per item of a reconstruct job on two silos of one cluster, counted from Orleans'
/// own message-size instrument (<c>orleans-messaging-sent-messages-size</c>, tagged by connection direction, so
/// silo-to-silo traffic is told apart from the client's gateway traffic), in two layouts: both silos host encoder and
/// decoder (the decoder next to the encoder that made the latent: latents should not cross), and silo A hosts only the
/// encoder, silo B only the decoder (every latent must cross). Inputs are uploaded first and the job names only its
/// input list, so the bytes counted are the job's. The stages are stand-ins (a fixed time per batch) returning latents
/// of the bundle's shape and dtype, so message sizes are the real ones without waiting for CPU forward passes.
/// </summary>
public static class DataPathBenchmark
{
    const string SentSize = "orleans-messaging-sent-messages-size";

    public static async Task RunAsync(BenchOptions o, string bundlePath, string root, bool throughputAlreadyRun)
    {
        if (!throughputAlreadyRun) await ThroughputBenchmark.RunAsync(o, bundlePath, root);

        var items = Math.Max(128, o.Images);
        var latentShape = LatentShape(bundlePath);
        var latentBytes = latentShape.Aggregate(4L, (x, d) => x * d);
        Report.Header($"datapath: bytes sent between two silos per item, reconstruct job of {items} images");
        Report.Line($"  stand-in encoder and decoder (20 ms per batch, MaxBatch {o.MaxBatch}): latents of the bundle's shape [{string.Join(",", latentShape)}] F32 " +
                    $"= {latentBytes:N0} bytes, outputs written to the store by the decoder; two in-process silos on loopback TCP, one shared local store and state folder");

        using var traffic = new OrleansTraffic();
        var rows = new List<string[]>();
        var perItem = new List<(string Name, double Bytes)>();
        foreach (var (name, a, bStages) in new (string, string[], string[])[]
                 {
                     ("both silos: encoder+decoder", [StageNames.Encoder, StageNames.Decoder], [StageNames.Encoder, StageNames.Decoder]),
                     ("A encoder, B decoder", [StageNames.Encoder], [StageNames.Decoder]),
                 })
        {
            var dir = Path.Combine(root, "datapath-" + perItem.Count);
            var shared = new Dictionary<string, string?>
            {
                ["OutputStore:LocalPath"] = Path.Combine(dir, "store"), ["State:LocalPath"] = Path.Combine(dir, "state"),
                ["Grid:StandIn:encoder"] = "20", ["Grid:StandIn:decoder"] = "20",
            };
            await using var siloA = await BenchSilo.StartAsync(new BenchSilo.Spec(Path.Combine(dir, "a"), bundlePath, a, o.MaxBatch,
                MaxInFlightItems: 1024, StateKind: "local", Extra: shared));
            await using var siloB = await BenchSilo.StartAsync(new BenchSilo.Spec(Path.Combine(dir, "b"), bundlePath, bStages, o.MaxBatch,
                PrimarySiloPort: siloA.SiloPort, MaxInFlightItems: 1024, StateKind: "local", Extra: shared));
            await BenchSilo.WaitForMembersAsync([siloA, siloB]);
            await using var connection = await siloA.ConnectClientAsync();
            var client = new GridClient(connection.Cluster);

            var images = Directory.CreateDirectory(Path.Combine(dir, "images")).FullName;
            var pngs = BenchImages.Pngs(items);
            for (int i = 0; i < pngs.Length; i++) await File.WriteAllBytesAsync(Path.Combine(images, $"img{i:D4}.png"), pngs[i]);
            var upload = await client.UploadImagesAsync([images]);
            var job = new JobRequest(JobKind.Reconstruct, BenchSilo.BundleId, InputList: upload.ListName);

            await ThroughputBenchmark.RunJobAsync(client, job);                       // warm-up: models, stages, connections
            var idle = traffic.Snapshot();
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(2000);
            var idleRate = traffic.Snapshot().Minus(idle).Bytes(OrleansTraffic.SiloToSilo) / idleClock.Elapsed.TotalSeconds;

            var before = traffic.Snapshot();
            var countsA = Counts(siloA);
            var countsB = Counts(siloB);
            var seconds = await ThroughputBenchmark.RunJobAsync(client, job);
            var delta = traffic.Snapshot().Minus(before);
            var workA = Counts(siloA).Minus(countsA);
            var workB = Counts(siloB).Minus(countsB);

            var silo = delta.Bytes(OrleansTraffic.SiloToSilo);
            perItem.Add((name, (double)silo / items));
            rows.Add([name, items.ToString(), Report.F(seconds, 2), Report.F((double)silo / items, 0), Report.F((double)delta.Messages(OrleansTraffic.SiloToSilo) / items, 1),
                Report.F((double)silo / items / latentBytes, 4),
                Report.F((double)(delta.Bytes(OrleansTraffic.ClientToGateway) + delta.Bytes(OrleansTraffic.GatewayToClient)) / items, 0),
                Report.F(idleRate, 0), $"{workA.Encoder}/{workB.Encoder}", $"{workA.Decoder}/{workB.Decoder}"]);
        }
        Report.Table(["layout", "items", "job s", "silo→silo B/item", "msgs/item", "÷ latent", "client↔gateway B/item", "idle silo↔silo B/s", "encoded A/B", "decoded A/B"], rows);
        Report.Line("  silo→silo: bytes of every message either silo sent the other during the job (requests, responses, membership pings; both");
        Report.Line("  directions), from Orleans' sent-message sizes tagged SiloToSilo. ÷ latent: that per item over one latent's bytes.");
        Report.Ratio($"datapath: silo→silo bytes per item, {perItem[0].Name} ÷ {perItem[1].Name} = {Report.F(perItem[0].Bytes / perItem[1].Bytes, 3)} " +
                     $"({Report.F(perItem[0].Bytes, 0)} vs {Report.F(perItem[1].Bytes, 0)} B/item)");
    }

    static long[] LatentShape(string bundlePath)
    {
        using var model = RaeModel.Load(bundlePath);
        return model.LatentShape.ToArray();
    }

    static StageItems Counts(BenchSilo silo) => new(silo.StageCounts(StageNames.Encoder).Items, silo.StageCounts(StageNames.Decoder).Items);

    sealed record StageItems(long Encoder, long Decoder)
    {
        public StageItems Minus(StageItems o) => new(Encoder - o.Encoder, Decoder - o.Decoder);
    }
}

/// <summary>
/// Bytes and messages Orleans sent in this process, by connection direction (SiloToSilo, ClientToGateway,
/// GatewayToClient), from the "Microsoft.Orleans" meter's sent-message-size histogram. Listens from construction.
/// </summary>
public sealed class OrleansTraffic : IDisposable
{
    public const string SiloToSilo = "SiloToSilo", ClientToGateway = "ClientToGateway", GatewayToClient = "GatewayToClient";

    readonly MeterListener _listener = new();
    readonly Dictionary<string, (long Bytes, long Messages)> _sent = new();

    public OrleansTraffic()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Microsoft.Orleans" && instrument.Name == "orleans-messaging-sent-messages-size") l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            string direction = "?";
            foreach (var tag in tags) if (tag.Key == "ConnectionDirection") direction = tag.Value?.ToString() ?? "?";
            lock (_sent)
            {
                var (bytes, messages) = _sent.GetValueOrDefault(direction);
                _sent[direction] = (bytes + value, messages + 1);
            }
        });
        _listener.Start();
    }

    /// <summary>Totals so far.</summary>
    public Totals Snapshot()
    {
        lock (_sent) return new Totals(new Dictionary<string, (long, long)>(_sent));
    }

    public void Dispose() => _listener.Dispose();

    public sealed record Totals(Dictionary<string, (long Bytes, long Messages)> ByDirection)
    {
        public long Bytes(string direction) => ByDirection.GetValueOrDefault(direction).Bytes;
        public long Messages(string direction) => ByDirection.GetValueOrDefault(direction).Messages;
        public Totals Minus(Totals earlier) => new(ByDirection.ToDictionary(kv => kv.Key,
            kv => (kv.Value.Bytes - earlier.Bytes(kv.Key), kv.Value.Messages - earlier.Messages(kv.Key))));
    }
}
