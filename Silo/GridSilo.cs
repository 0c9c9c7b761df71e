using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.Connections.Security;
using RAE.Grid.Grains.Access;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Stages;
using RAE.Grid.Grains.Storage;
using StackExchange.Redis;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace RAE.Grid.Silo;

/// <summary>
/// Configures a silo for the grid from configuration (appsettings.json + RAEGRID_ environment variables): clustering,
/// the stages and bundles it hosts and on which device (advertised to the cluster as silo metadata), job state storage,
/// reminders, the output store, the stage placement director, and the grid's start/stop lifecycle.
/// </summary>
public static class GridSilo
{
    /// <summary>Reads and validates every section; throws <see cref="GridConfigurationException"/> listing all problems.</summary>
    public static (GridOptions Grid, ClusterSettings Cluster, StateSettings State, OutputStoreOptions Store, HealthSettings Health,
        SecuritySettings Security) ReadSettings(IConfiguration config, string contentRoot)
    {
        var grid = config.GetSection(GridOptions.Section).Get<GridOptions>() ?? new GridOptions();
        // An explicit empty list in JSON binds as "keep the default": read Stages ourselves so "no stages" is expressible.
        var stages = config.GetSection($"{GridOptions.Section}:Stages");
        if (stages.Exists() || stages.Value is not null)
            grid.Stages = stages.Value is "" or "none" ? [] : stages.GetChildren().Select(c => c.Value!).Where(v => v is not null).ToArray() is { Length: > 0 } a ? a : grid.Stages;
        grid.Bundles = grid.Bundles.ToDictionary(kv => kv.Key, kv => Path.GetFullPath(Path.Combine(contentRoot, kv.Value)));
        var cluster = config.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        var state = config.GetSection(StateSettings.Section).Get<StateSettings>() ?? new StateSettings();
        // Per-silo files in a multi-silo cluster would strand each job (and the job index) on the silo that wrote them:
        // a job whose grain re-activates elsewhere would be unknown. Unless chosen explicitly, a Redis cluster keeps state in Redis.
        if (cluster.IsRedis && string.IsNullOrWhiteSpace(config[$"{StateSettings.Section}:Kind"])) state.Kind = "redis";
        if (cluster.IsPostgres && string.IsNullOrWhiteSpace(config[$"{StateSettings.Section}:Kind"])) state.Kind = "postgres";
        if (!Path.IsPathRooted(state.LocalPath)) state.LocalPath = Path.GetFullPath(Path.Combine(contentRoot, state.LocalPath));
        var store = config.GetSection(OutputStoreOptions.SectionName).Get<OutputStoreOptions>() ?? new OutputStoreOptions();
        if (store.IsKind(OutputStoreOptions.LocalKind))
            store.LocalPath = Path.GetFullPath(Path.Combine(contentRoot, store.LocalPath ?? ".rae-grid/store"));
        var health = config.GetSection(HealthSettings.Section).Get<HealthSettings>() ?? new HealthSettings();
        var security = config.GetSection(SecuritySettings.Section).Get<SecuritySettings>() ?? new SecuritySettings();
        var problems = new List<string>();
        problems.AddRange(grid.Validate());
        problems.AddRange(cluster.Validate());
        problems.AddRange(state.Validate(cluster));
        problems.AddRange(store.Problems());
        if (health.Port is < 0 or > 65535) problems.Add($"Health.Port: {health.Port} is not a port");
        if (health.Host is not ("+" or "*") && Uri.CheckHostName(health.Host) == UriHostNameType.Unknown)
            problems.Add($"Health.Host: '{health.Host}' is not a host name or address (use 127.0.0.1, or + for every interface)");
        problems.AddRange(security.Validate(contentRoot));
        problems.AddRange(MetricsSettings.Read(config).Validate(health.Port));
        if (problems.Count > 0) throw new GridConfigurationException(problems);
        return (grid, cluster, state, store, health, security);
    }

    /// <summary>Configures <paramref name="silo"/> from <paramref name="config"/>.</summary>
    public static ISiloBuilder ConfigureGrid(this ISiloBuilder silo, IConfiguration config, string contentRoot, bool clustering = true)
    {
        var (grid, cluster, state, store, health, security) = ReadSettings(config, contentRoot);

        if (clustering)
        {
            silo.Configure<ClusterOptions>(o => { o.ClusterId = cluster.ClusterId; o.ServiceId = cluster.ServiceId; });
            if (cluster.IsRedis)
            {
                silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(cluster.Redis!));
                ConfigureClusterEndpoints(silo, cluster);
            }
            else if (cluster.IsPostgres)
            {
                silo.UseAdoNetClustering(o => { o.Invariant = PostgresSchema.Invariant; o.ConnectionString = cluster.Postgres; });
                ConfigureClusterEndpoints(silo, cluster);
            }
            else
            {
                var primary = cluster.PrimarySiloPort is int p ? new IPEndPoint(IPAddress.Loopback, p) : null;
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primary, cluster.ServiceId, cluster.ClusterId);
            }
            // In a pod: the pod's name and IP, the cluster ids from its environment, dead pods' silos removed.
            if (cluster.Kubernetes) silo.UseKubernetesHosting();
        }

        // Other silos and pipeline grains find stage hosts through this metadata.
        var randomBundles = ModelHost.RandomWeightBundles(grid.Bundles);
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [StageDirectory.StagesKey] = string.Join(",", grid.Stages),
            [StageDirectory.BundlesKey] = string.Join(",", grid.Bundles.Keys),
            [StageDirectory.RandomBundlesKey] = string.Join(",", randomBundles),
            [StageDirectory.MaxBatchKey] = StageDirectory.FormatMaxBatch(grid),
            [StageDirectory.ReplicasKey] = StageDirectory.FormatReplicas(grid),
            ["rae.devices"] = string.Join(",", grid.DeviceList),
            ["rae.device"] = grid.Device,
        });

        var serializer = new MessagePackGrainStorageSerializer();
        switch (state.Kind)
        {
            case "redis":
                var redis = state.Redis ?? cluster.Redis!;
                silo.AddRedisGrainStorage(GridStorage.JobStore, o =>
                {
                    o.ConfigurationOptions = ConfigurationOptions.Parse(redis);
                    o.GrainStorageSerializer = serializer;
                });
                silo.UseRedisReminderService(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
                break;
            case "postgres":
                var postgres = state.Postgres ?? cluster.Postgres!;
                silo.AddAdoNetGrainStorage(GridStorage.JobStore, o =>
                {
                    o.Invariant = PostgresSchema.Invariant;
                    o.ConnectionString = postgres;
                    o.GrainStorageSerializer = serializer;
                });
                silo.UseAdoNetReminderService(o => { o.Invariant = PostgresSchema.Invariant; o.ConnectionString = postgres; });
                break;
            case "memory":
                silo.AddMemoryGrainStorage(GridStorage.JobStore);
                silo.UseInMemoryReminderService();
                break;
            default:
                silo.Services.AddKeyedSingleton<IGrainStorage>(GridStorage.JobStore, (_, _) => new FileGrainStorage(state.LocalPath, serializer));
                silo.UseInMemoryReminderService();
                break;
        }

        silo.Services.AddSingleton(Options.Create(grid));
        silo.Services.AddSingleton(Options.Create(health));
        silo.Services.AddSingleton<IOutputStore>(_ => OutputStoreFactory.Create(store));
        silo.Services.AddSingleton<ModelHost>();
        silo.Services.AddSingleton<StageRuntime>();
        silo.Services.AddSingleton<CandidateLatents>();
        silo.Services.AddSingleton<PromptConditions>();
        silo.Services.AddSingleton<StageDirectory>();
        silo.Services.TryAddSingleton(TimeProvider.System); // the job index's clock (retention)
        silo.Services.AddPlacementDirector<StageSiloPlacement, StageSiloPlacementDirector>();
        silo.Services.AddSingleton<GridLifecycle>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<GridLifecycle>());
        silo.Services.AddHostedService<HealthEndpoint>();
        silo.Services.AddSingleton<ModelPreloader>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<ModelPreloader>());
        silo.Services.AddSingleton<Readiness>();
        silo.AddGridTelemetry(MetricsSettings.Read(config));
        silo.Services.AddSingleton<ScalingMetrics>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<ScalingMetrics>()); // created at start: its meter exists for exporters
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(30));
        ConfigureSecurity(silo, security);
        return silo;
    }

    /// <summary>
    /// A Redis or PostgreSQL cluster's silo and gateway endpoints: the configured address, or in Kubernetes only the
    /// ports, so that Kubernetes hosting advertises the pod IP and listens on every address of the pod.
    /// </summary>
    private static void ConfigureClusterEndpoints(ISiloBuilder silo, ClusterSettings cluster)
    {
        if (cluster.Kubernetes)
            silo.Configure<EndpointOptions>(o => { o.SiloPort = cluster.SiloPort; o.GatewayPort = cluster.GatewayPort; });
        else
            silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedIP), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: false);
    }

    /// <summary>
    /// The gateway check on every call (always: it keeps silo-internal grains from clients even on an open grid), and TLS
    /// when configured: silos must show each other a trusted certificate; clients must too when
    /// <c>Security:Tls:ClientCertificateRequired</c>.
    /// </summary>
    private static void ConfigureSecurity(ISiloBuilder silo, SecuritySettings security)
    {
        silo.Services.AddSingleton(Options.Create(security.Access));
        silo.AddIncomingGrainCallFilter<ClientAccessFilter>();
        if (!security.Tls.Enabled) return;
        var tls = security.Tls;
        silo.Configure<SiloConnectionOptions>(o =>
        {
            o.ConfigureSiloInboundConnection(c => c.UseServerTls(tls.Options(requireRemote: true)));
            o.ConfigureSiloOutboundConnection(c => c.UseClientTls(tls.Options(requireRemote: true)));
            o.ConfigureGatewayInboundConnection(c => c.UseServerTls(tls.Options(requireRemote: tls.ClientCertificateRequired)));
        });
    }
}
