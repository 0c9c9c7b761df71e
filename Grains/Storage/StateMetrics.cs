using System.Diagnostics.Metrics;

namespace RAE.Grid.Grains.Storage;

/// <summary>
/// What grain-state writes cost, by state type (JobGrainState, PartitionState, JobIndexState): bytes serialized for
/// writing and the number of writes, on the "RAE.Grid" meter, whichever store (files, Redis) takes them. Benchmarks
/// read these to show that a job's checkpoint bytes per item stay constant as jobs grow.
/// </summary>
public static class StateMetrics
{
    /// <summary>Name of the grid's meter.</summary>
    public const string MeterName = "RAE.Grid";

    static readonly Meter Meter = new(MeterName);

    /// <summary>Bytes of grain state serialized for writing (tag <c>state</c>: the state type's name).</summary>
    public static readonly Counter<long> BytesWritten = Meter.CreateCounter<long>("rae.state.bytes_written", "By", "grain state bytes serialized for writing");

    /// <summary>Grain state writes (tag <c>state</c>).</summary>
    public static readonly Counter<long> Writes = Meter.CreateCounter<long>("rae.state.writes", "{write}", "grain state writes");

    /// <summary>Records one write of <paramref name="bytes"/> bytes of a <typeparamref name="T"/>.</summary>
    public static void Written<T>(long bytes)
    {
        var tag = new KeyValuePair<string, object?>("state", typeof(T).Name);
        BytesWritten.Add(bytes, tag);
        Writes.Add(1, tag);
    }
}
