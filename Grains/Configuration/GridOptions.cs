using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Configuration;

/// <summary>
/// The grid settings of one silo (configuration section "Grid"): which stages it hosts, on which device, the model registry
/// (bundle id → bundle file; clients name ids, never paths), batching per stage, payload and image limits, pipeline window.
/// Validated at start-up; every problem is reported at once.
/// </summary>
public sealed class GridOptions
{
    public const string Section = "Grid";

    /// <summary>Stages this silo hosts: any of encoder, decoder, diffusion (empty: it hosts only pipeline grains).</summary>
    public string[] Stages { get; set; } = StageNames.All;

    /// <summary>Device for this silo's models ("cpu", "cuda", "cuda:N"); overrides the bundles' own compute.device.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>
    /// Devices of this silo's stage replicas (e.g. ["cuda:0","cuda:1"]): each hosted stage runs one replica per entry (times
    /// <see cref="InstancesPerDevice"/>), each with its own batcher, routed like a host of its own. Null or empty: one
    /// device, <see cref="Device"/>, as before. An entry may repeat ("cpu","cpu": two replicas sharing the CPU).
    /// </summary>
    public string[]? Devices { get; set; }

    /// <summary>Most stage replicas one device may run (<see cref="InstancesPerDevice"/>).</summary>
    public const int MaxInstancesPerDevice = 16;

    /// <summary>
    /// Stage replicas per entry of <see cref="Devices"/> (Triton's instance_group count): more than one lets a device
    /// overlap one replica's batch assembly and I/O with another's compute. 1 to <see cref="MaxInstancesPerDevice"/>.
    /// </summary>
    public int InstancesPerDevice { get; set; } = 1;

    /// <summary>The device entries in use: <see cref="Devices"/>, or <see cref="Device"/> alone.</summary>
    public IReadOnlyList<string> DeviceList => Devices is { Length: > 0 } d ? d : [Device];

    /// <summary>Stage replicas per hosted (stage, bundle): devices × instances per device.</summary>
    public int ReplicaCount => DeviceList.Count * InstancesPerDevice;

    /// <summary>
    /// The device of replica <paramref name="replica"/>: replicas go round the devices first (replica 1 is on the second
    /// device, not a second instance on the first), so the first replicas a router spreads work over use every device.
    /// </summary>
    public string DeviceOf(int replica) => DeviceList[replica % DeviceList.Count];

    /// <summary>dtype for this silo's models ("fp32", "bf16"); null keeps each bundle's own.</summary>
    public string? DType { get; set; }

    /// <summary>Model registry: bundle id → bundle JSON path (relative paths resolve against the content root).</summary>
    public Dictionary<string, string> Bundles { get; set; } = new();

    /// <summary>Per-stage batching; missing stages use the defaults.</summary>
    public Dictionary<string, BatchingOptions> Batching { get; set; } = new();

    public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>Per-stage elastic-scaling targets ("Grid:Scaling:&lt;stage&gt;"); missing stages use the defaults.</summary>
    public Dictionary<string, ScalingOptions> Scaling { get; set; } = new();

    /// <summary>Bounds on requests, decoded images and per-item compute ("Grid:Limits", see <see cref="RequestLimits"/>).</summary>
    public RequestLimits Limits { get; set; } = new();

    /// <summary>Largest tensor payload sent between grains (bytes).</summary>
    public long MaxPayloadBytes { get; set; } = TensorPayload.DefaultMaxBytes;

    /// <summary>Largest input image file accepted (bytes).</summary>
    public long MaxImageBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Largest input image side accepted (pixels).</summary>
    public int MaxImageSide { get; set; } = 8192;

    /// <summary>Longest service time a stand-in stage may be given (<see cref="StandIn"/>), in milliseconds.</summary>
    public const int MaxStandInServiceMs = 60_000;

    /// <summary>
    /// For scale-out benchmarks only ("Grid:StandIn"): stage → milliseconds of service time per batch. A stage named here
    /// does not run its model's forward pass; each batch takes this long and returns deterministic outputs of the right
    /// shape (Grains/Stages/StandInStage.cs), so a 2-core machine can stand in for a GPU cluster. Its outputs are not
    /// model outputs. Empty (the default): every stage runs its model.
    /// </summary>
    public Dictionary<string, int> StandIn { get; set; } = new();

    /// <summary>
    /// Load every registry bundle's model in the background at start-up (readiness waits for it) instead of on a stage's
    /// first request. Off by default so an embedded silo starts at once; on for served clusters (infra examples).
    /// </summary>
    public bool PreloadModels { get; set; }

    /// <summary>Batching of <paramref name="stage"/>.</summary>
    public BatchingOptions BatchingFor(string stage) => Batching.TryGetValue(stage, out var b) ? b : new BatchingOptions();

    /// <summary>Scaling target of <paramref name="stage"/>.</summary>
    public ScalingOptions ScalingFor(string stage) =>
        Scaling.FirstOrDefault(kv => kv.Key.Equals(stage, StringComparison.OrdinalIgnoreCase)).Value ?? new ScalingOptions();

    /// <summary>Whether this silo hosts <paramref name="stage"/>.</summary>
    public bool Hosts(string stage) => Stages.Contains(stage, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every problem with these options, each naming its setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var p = new List<string>();
        foreach (var s in Stages.Where(s => !StageNames.All.Contains(s, StringComparer.OrdinalIgnoreCase)))
            p.Add($"Grid.Stages: unknown stage '{s}' (expected {string.Join(", ", StageNames.All)})");
        if (Stages.Length > 0 && Bundles.Count == 0) p.Add("Grid.Bundles: a silo hosting stages needs at least one bundle");
        foreach (var (id, path) in Bundles)
        {
            if (string.IsNullOrWhiteSpace(id) || id.Contains('@') || id.Contains('/') || id.Contains(Placement.StageKeys.ReplicaSeparator))
                p.Add($"Grid.Bundles: bundle id '{id}' must be non-empty without '@', '/' or '{Placement.StageKeys.ReplicaSeparator}'");
            if (!File.Exists(path)) p.Add($"Grid.Bundles.{id}: bundle file not found: {Path.GetFullPath(path)}");
        }
        p.AddRange(new Models.Runtime.ComputeOptions(Device, DType ?? "fp32").Validate("Grid"));
        for (int i = 0; i < (Devices?.Length ?? 0); i++)
            p.AddRange(new Models.Runtime.ComputeOptions(Devices![i] ?? "", "fp32").Validate($"Grid.Devices[{i}]"));
        if (InstancesPerDevice is < 1 or > MaxInstancesPerDevice)
            p.Add($"Grid.InstancesPerDevice: must be between 1 and {MaxInstancesPerDevice}, got {InstancesPerDevice}");
        foreach (var (stage, b) in Batching)
        {
            if (!StageNames.All.Contains(stage)) p.Add($"Grid.Batching: unknown stage '{stage}'");
            p.AddRange(b.Validate($"Grid.Batching.{stage}"));
        }
        foreach (var (stage, target) in Scaling)
        {
            if (!StageNames.All.Contains(stage, StringComparer.OrdinalIgnoreCase))
                p.Add($"Grid.Scaling: unknown stage '{stage}' (expected {string.Join(", ", StageNames.All)})");
            p.AddRange(target.Validate($"Grid.Scaling.{stage}"));
        }
        foreach (var (stage, ms) in StandIn)
        {
            if (!StageNames.All.Contains(stage, StringComparer.OrdinalIgnoreCase))
                p.Add($"Grid.StandIn: unknown stage '{stage}' (expected {string.Join(", ", StageNames.All)})");
            if (ms is < 0 or > MaxStandInServiceMs)
                p.Add($"Grid.StandIn.{stage}: service time must be between 0 and {MaxStandInServiceMs} ms per batch, got {ms}");
        }
        p.AddRange(Pipeline.Validate("Grid.Pipeline"));
        p.AddRange(Limits.Validate("Grid.Limits"));
        if (MaxPayloadBytes < 1024 || MaxPayloadBytes > 100L * 1024 * 1024)
            p.Add($"Grid.MaxPayloadBytes: must be between 1 KiB and Orleans' 100 MiB message limit, got {MaxPayloadBytes}");
        if (MaxImageBytes < 1) p.Add("Grid.MaxImageBytes: must be positive");
        if (MaxImageSide < 1) p.Add("Grid.MaxImageSide: must be positive");
        return p;
    }
}
