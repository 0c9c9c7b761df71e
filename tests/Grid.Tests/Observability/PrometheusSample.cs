namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>One sample of a Prometheus text exposition: metric name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public override string ToString() => $"{Name}{{{string.Join(",", Labels.Select(kv => $"{kv.Key}=\"{kv.Value}\""))}}} {Value}";
}
