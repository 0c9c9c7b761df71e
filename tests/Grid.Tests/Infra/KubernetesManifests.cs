using YamlDotNet.RepresentationModel;

namespace RAE.Grid.Grid.Tests.Infra;

/// <summary>
/// Every Kubernetes object of <c>infra/k8s/*.yaml</c>, parsed (YamlDotNet; no cluster is needed), with the lookups the
/// manifest tests use: objects by kind, a Deployment's container, and the environment a pod of it would get.
/// </summary>
public sealed class KubernetesManifests
{
    /// <summary>Parses every YAML document of every <c>*.yaml</c> file in <paramref name="folder"/>.</summary>
    public KubernetesManifests(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file)) stream.Load(reader);
            foreach (var doc in stream.Documents)
                if (doc.RootNode is YamlMappingNode root) Objects.Add((Path.GetFileName(file), root));
        }
    }

    /// <summary>Each object with the file it came from.</summary>
    public List<(string File, YamlMappingNode Node)> Objects { get; } = [];

    /// <summary>The objects of <paramref name="kind"/>.</summary>
    public IEnumerable<YamlMappingNode> OfKind(string kind) => Objects.Where(o => Str(o.Node, "kind") == kind).Select(o => o.Node);

    /// <summary>metadata.name of <paramref name="node"/>.</summary>
    public static string Name(YamlMappingNode node) => Str(node, "metadata", "name") ?? "";

    /// <summary>The scalar at <paramref name="path"/> under <paramref name="node"/>, or null.</summary>
    public static string? Str(YamlNode? node, params string[] path) => At(node, path) is YamlScalarNode s ? s.Value : null;

    /// <summary>The node at <paramref name="path"/> (mapping keys) under <paramref name="node"/>, or null.</summary>
    public static YamlNode? At(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode m || !m.Children.TryGetValue(new YamlScalarNode(key), out node)) return null;
        }
        return node;
    }

    /// <summary>The items of the sequence at <paramref name="path"/> (none when absent).</summary>
    public static IEnumerable<YamlNode> Seq(YamlNode? node, params string[] path) =>
        At(node, path) is YamlSequenceNode s ? s.Children : [];

    /// <summary>The single container of a Deployment's pod template.</summary>
    public static YamlMappingNode Container(YamlMappingNode deployment) =>
        (YamlMappingNode)Seq(deployment, "spec", "template", "spec", "containers").Single();

    /// <summary>
    /// The environment a container of <paramref name="deployment"/> gets: the data of the ConfigMaps and Secrets it
    /// names in envFrom (as written here), then its own env values (later wins, as in Kubernetes). Variables set from
    /// the pod (valueFrom fieldRef) map to their field path, prefixed "fieldRef:".
    /// </summary>
    public Dictionary<string, string> Environment(YamlMappingNode deployment)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var container = Container(deployment);
        foreach (var from in Seq(container, "envFrom"))
        {
            var (kind, name, data) = Str(from, "configMapRef", "name") is { } cm ? ("ConfigMap", cm, "data")
                : ("Secret", Str(from, "secretRef", "name") ?? throw new InvalidOperationException("envFrom without a configMapRef or secretRef"), "stringData");
            var source = OfKind(kind).SingleOrDefault(o => Name(o) == name)
                ?? throw new InvalidOperationException($"{Name(deployment)}: envFrom names the {kind} '{name}', which no manifest defines");
            if (At(source, data) is YamlMappingNode values)
                foreach (var (k, v) in values.Children) env[((YamlScalarNode)k).Value!] = ((YamlScalarNode)v).Value ?? "";
        }
        foreach (var e in Seq(container, "env"))
        {
            var key = Str(e, "name")!;
            env[key] = Str(e, "value") ?? ("fieldRef:" + (Str(e, "valueFrom", "fieldRef", "fieldPath")
                ?? throw new InvalidOperationException($"{Name(deployment)}: {key} has neither a value nor a fieldRef")));
        }
        return env;
    }

    /// <summary>The containerPort of the port named (or numbered) <paramref name="port"/> of <paramref name="container"/>.</summary>
    public static int? ContainerPort(YamlMappingNode container, string? port)
    {
        if (int.TryParse(port, out var n)) return n;
        var named = Seq(container, "ports").FirstOrDefault(p => Str(p, "name") == port);
        return int.TryParse(Str(named, "containerPort"), out var c) ? c : null;
    }
}
