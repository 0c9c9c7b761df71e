using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Hosting.Kubernetes;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Grid.Tests.MultiProcess;
using RAE.Grid.Silo;
using YamlDotNet.RepresentationModel;
using static RAE.Grid.Grid.Tests.Infra.KubernetesManifests;

namespace RAE.Grid.Grid.Tests.Infra;

/// <summary>
/// The Kubernetes example under <c>infra/k8s/</c>, checked without a cluster: every manifest parses; each stage role has
/// a Deployment whose probes hit the silo's health paths on its Health port; the RAEGRID_ variables it sets are settings
/// the silo really reads (bound through <see cref="GridSilo.ReadSettings"/>, no problem but missing bundle files); the
/// drain fits the grace period; Orleans' Kubernetes hosting gets its variables and RBAC; the autoscalers scale existing
/// Deployments on <c>raegrid_stage_desired_replicas</c>.
/// </summary>
public sealed class KubernetesManifestTests : IDisposable
{
    const string DesiredReplicasMetric = "raegrid_stage_desired_replicas";
    const string PipelineRole = "pipeline";

    static readonly KubernetesManifests K8s = new(Path.Combine(GridCli.RepositoryRoot(), "infra", "k8s"));
    static List<YamlMappingNode> Deployments => K8s.OfKind("Deployment").ToList();

    /// <summary>The Grid:Stages a Deployment's pods host ([] for "none").</summary>
    string[] StagesOf(YamlMappingNode deployment) => Settings(deployment).Grid.Stages;

    (GridOptions Grid, ClusterSettings Cluster, StateSettings State, OutputStoreOptions Store, HealthSettings Health, SecuritySettings Security)
        Settings(YamlMappingNode deployment)
    {
        // The image holds the bundle files, this machine does not: stand-in files at the same paths under a scratch root.
        var keys = RaeGridKeys(deployment);
        foreach (var (key, path) in keys.Where(kv => kv.Key.StartsWith("Grid:Bundles:", StringComparison.Ordinal)).ToList())
        {
            var file = Path.Combine(ImageRoot, path!.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, "{}");
            keys[key] = file;
        }
        try { return GridSilo.ReadSettings(new ConfigurationBuilder().AddInMemoryCollection(keys).Build(), ImageRoot); }
        catch (GridConfigurationException e) { throw new Xunit.Sdk.XunitException($"{Name(deployment)}: the silo refuses its settings:\n  " + string.Join("\n  ", e.Problems)); }
    }

    readonly string ImageRoot = Directory.CreateTempSubdirectory("rae-k8s-").FullName;

    /// <summary>Deletes the scratch root of the stand-in bundle files.</summary>
    public void Dispose() => Directory.Delete(ImageRoot, recursive: true);

    // RAEGRID_A__B → "A:B", as `rae-grid serve` reads them (AddEnvironmentVariables("RAEGRID_")).
    static Dictionary<string, string?> RaeGridKeys(YamlMappingNode deployment) =>
        K8s.Environment(deployment).Where(kv => kv.Key.StartsWith("RAEGRID_", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["RAEGRID_".Length..].Replace("__", ":"), kv => (string?)kv.Value);

    [Fact]
    public void Every_stage_has_its_own_deployment_and_a_pipeline_only_role_hosts_none()
    {
        Assert.NotEmpty(Deployments);
        var roles = Deployments.ToDictionary(d => Name(d), StagesOf);
        foreach (var stage in StageNames.All)
            Assert.True(roles.Values.Count(s => s.Contains(stage)) == 1, $"stage {stage} is hosted by {roles.Values.Count(s => s.Contains(stage))} Deployments, expected 1");
        foreach (var stage in new[] { StageNames.Encoder, StageNames.Decoder, StageNames.Diffusion })
            Assert.Equal([stage], roles[$"rae-grid-{stage}"]);
        Assert.Equal([StageNames.Text, StageNames.Verifier], roles["rae-grid-text"]);
        Assert.Empty(roles[$"rae-grid-{PipelineRole}"]);
    }

    [Fact]
    public void Every_deployment_probes_readiness_and_liveness_on_the_health_paths_and_port_the_silo_serves()
    {
        foreach (var d in Deployments)
        {
            var container = Container(d);
            var health = Settings(d).Health;
            Assert.True(health.Port > 0, $"{Name(d)}: no Health port");
            // The kubelet connects to the pod IP: a loopback-only endpoint would fail every probe.
            Assert.True(health.Host is "+" or "*" or "0.0.0.0", $"{Name(d)}: Health.Host {health.Host} is not every interface");
            foreach (var (probe, path) in new[] { ("readinessProbe", "/healthz/ready"), ("livenessProbe", "/healthz/live") })
            {
                Assert.True(Str(container, probe, "httpGet", "path") == path, $"{Name(d)}: {probe} path is {Str(container, probe, "httpGet", "path")}, expected {path}");
                Assert.True(ContainerPort(container, Str(container, probe, "httpGet", "port")) == health.Port,
                    $"{Name(d)}: {probe} port {Str(container, probe, "httpGet", "port")} is not the Health port {health.Port}");
            }
        }
    }

    [Fact]
    public void Every_deployment_gives_the_drain_its_time_before_the_pod_is_killed()
    {
        var hostTimeout = HostShutdownTimeout();
        foreach (var d in Deployments)
        {
            var preStop = Seq(Container(d), "lifecycle", "preStop", "exec", "command").Select(n => ((YamlScalarNode)n).Value).ToArray();
            Assert.True(preStop is ["sleep", _], $"{Name(d)}: preStop is [{string.Join(' ', preStop)}], expected a sleep");
            var pause = TimeSpan.FromSeconds(int.Parse(preStop[1]!));
            var grace = TimeSpan.FromSeconds(int.Parse(Str(d, "spec", "template", "spec", "terminationGracePeriodSeconds") ?? "30"));
            var shutdown = HostShutdownTimeout(K8s.Environment(d).GetValueOrDefault("RAEGRID_shutdownTimeoutSeconds"));
            Assert.True(shutdown > GridLifecycle.DrainTimeout, $"{Name(d)}: the host stops after {shutdown}, before the {GridLifecycle.DrainTimeout} drain (default {hostTimeout})");
            Assert.True(pause + shutdown < grace, $"{Name(d)}: preStop {pause} + host shutdown {shutdown} exceed the grace period {grace}");
        }
    }

    // The stop timeout a `rae-grid serve` host takes from its configuration (HostOptions read "shutdownTimeoutSeconds").
    static TimeSpan HostShutdownTimeout(string? seconds = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (seconds is not null) builder.Configuration.AddInMemoryCollection([new("shutdownTimeoutSeconds", seconds)]);
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
    }

    [Fact]
    public void Every_variable_a_deployment_sets_is_a_setting_the_silo_or_orleans_kubernetes_hosting_reads()
    {
        string[] fromPod = [KubernetesHostingOptions.PodNameEnvironmentVariable, KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
            KubernetesHostingOptions.PodIPEnvironmentVariable, KubernetesHostingOptions.ServiceIdEnvironmentVariable, KubernetesHostingOptions.ClusterIdEnvironmentVariable];
        foreach (var d in Deployments)
        {
            var env = K8s.Environment(d);
            foreach (var v in fromPod) Assert.True(env.GetValueOrDefault(v)?.StartsWith("fieldRef:") == true, $"{Name(d)}: {v} is not set from the pod");
            var labels = At(d, "spec", "template", "metadata", "labels");
            // The agent finds the pods of its cluster by these labels; the ids come from the same labels.
            Assert.NotNull(Str(labels, KubernetesHostingOptions.ServiceIdLabel));
            Assert.NotNull(Str(labels, KubernetesHostingOptions.ClusterIdLabel));
            Assert.Equal($"fieldRef:metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']", env[KubernetesHostingOptions.ServiceIdEnvironmentVariable]);
            Assert.Equal($"fieldRef:metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']", env[KubernetesHostingOptions.ClusterIdEnvironmentVariable]);
            foreach (var key in env.Keys.Where(k => !fromPod.Contains(k)))
            {
                Assert.True(key.StartsWith("RAEGRID_", StringComparison.Ordinal), $"{Name(d)}: {key} is neither a RAEGRID_ setting nor a Kubernetes hosting variable");
                var problem = Unbound(key["RAEGRID_".Length..].Split("__"));
                Assert.True(problem is null, $"{Name(d)}: {key}: {problem}");
            }
            var (grid, cluster, state, _, _, _) = Settings(d);
            Assert.True(cluster.Kubernetes && (cluster.IsPostgres || cluster.IsRedis), $"{Name(d)}: Kubernetes hosting needs Cluster.Kubernetes and a shared membership");
            Assert.Equal(cluster.Mode, state.Kind); // job state follows the cluster: no pod-local files
            Assert.NotEmpty(grid.Bundles);
        }
    }

    /// <summary>
    /// Sections of issue 14 whose settings classes live in other slices of it (metrics: <c>Metrics:*</c>, model preload:
    /// <c>Grid:PreloadModels</c>). While this build lacks them they cannot be bound here; once present they are checked
    /// like every other key (the exemption applies only to a section or property that does not exist).
    /// </summary>
    static readonly string[] PendingKeys = ["Metrics", "Grid:PreloadModels"];

    // Null when configuration key parts bind to a property of a settings class (or a host setting); else why not.
    static string? Unbound(string[] parts)
    {
        if (parts is ["shutdownTimeoutSeconds"]) return null; // HostOptions (checked in the drain test)
        if (parts[0] == "Logging") return null;                // Microsoft.Extensions.Logging's own section
        var type = SettingsType(parts[0]);
        if (type is null) return PendingKeys.Contains(parts[0]) ? null : $"no settings class has the section '{parts[0]}'";
        for (var i = 1; i < parts.Length; i++)
        {
            if (type.IsArray || typeof(IDictionary).IsAssignableFrom(type)) return null; // an element or entry
            var property = type.GetProperty(parts[i], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
                return PendingKeys.Contains($"{parts[0]}:{parts[i]}") ? null : $"{type.Name} has no property '{parts[i]}'";
            type = property.PropertyType;
        }
        return null;
    }

    // The class whose Section / SectionName constant is the section, in the silo's and the grains' assemblies.
    static Type? SettingsType(string section) =>
        new[] { typeof(GridSilo).Assembly, typeof(GridOptions).Assembly }.SelectMany(a => a.GetTypes())
            .FirstOrDefault(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Any(f => f.IsLiteral && f.Name is "Section" or "SectionName" && (string?)f.GetRawConstantValue() == section));

    [Fact]
    public void Every_stage_deployment_is_scaled_by_an_autoscaler_on_the_desired_replicas_metric_of_its_stages()
    {
        var scaled = K8s.OfKind("ScaledObject").ToList();
        var byName = Deployments.ToDictionary(d => Name(d));
        foreach (var s in scaled)
        {
            var target = Str(s, "spec", "scaleTargetRef", "name");
            Assert.True(target is not null && byName.ContainsKey(target), $"ScaledObject {Name(s)} targets '{target}', which is no Deployment");
            Assert.Equal(Str(byName[target!], "metadata", "namespace"), Str(s, "metadata", "namespace"));
            var query = Seq(s, "spec", "triggers").Select(t => Str(t, "metadata", "query")).Single();
            Assert.Contains(DesiredReplicasMetric, query);
            foreach (var stage in StagesOf(byName[target!]))
                Assert.True(query!.Contains(stage, StringComparison.Ordinal), $"ScaledObject {Name(s)}'s query does not select stage {stage}: {query}");
        }
        foreach (var d in Deployments.Where(d => StagesOf(d).Length > 0))
            Assert.True(scaled.Count(s => Str(s, "spec", "scaleTargetRef", "name") == Name(d)) == 1, $"{Name(d)} has no autoscaler");
    }

    [Fact]
    public void The_pods_service_account_may_watch_and_delete_pods_as_orleans_kubernetes_hosting_needs()
    {
        foreach (var d in Deployments)
        {
            var account = Str(d, "spec", "template", "spec", "serviceAccountName");
            var binding = K8s.OfKind("RoleBinding").Single(b => Seq(b, "subjects").Any(s => Str(s, "kind") == "ServiceAccount" && Str(s, "name") == account));
            var role = K8s.OfKind("Role").Single(r => Name(r) == Str(binding, "roleRef", "name"));
            var verbs = Seq(role, "rules").Where(r => Seq(r, "resources").Any(x => ((YamlScalarNode)x).Value == "pods"))
                .SelectMany(r => Seq(r, "verbs")).Select(v => ((YamlScalarNode)v).Value).ToHashSet();
            foreach (var verb in new[] { "get", "list", "watch", "delete" }) Assert.Contains(verb, verbs);
        }
    }
}
