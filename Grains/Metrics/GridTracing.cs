using System.Diagnostics;

namespace RAE.Grid.Grains.Metrics;

/// <summary>
/// The grid's spans (ActivitySource "RAE.Grid"): one root span per item where its partition routes it, and a child span
/// per stage call (queue wait and compute as attributes). Orleans' activity propagation carries the context across grain
/// calls and silos, so a slow item can be followed stage by stage. Spans cost nothing while nobody listens.
/// </summary>
public static class GridTracing
{
    /// <summary>Name of the grid's ActivitySource.</summary>
    public const string SourceName = "RAE.Grid";

    /// <summary>The ActivitySource Orleans' incoming-call filter starts grain-call spans on; listen to it too, or the context stops at each grain call.</summary>
    public const string OrleansApplicationSource = "Microsoft.Orleans.Application";

    /// <summary>The grid's ActivitySource.</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Starts the root span of one item (or one shard) of <paramref name="job"/>. A root rather than a child of whatever
    /// the partition's turn carries: each item is its own trace (the partition's context is kept as a link).
    /// The caller must be an async method, so resetting <see cref="Activity.Current"/> stays within its flow.
    /// </summary>
    public static Activity? StartItem(string name, string job, long item, int partition)
    {
        if (!Source.HasListeners()) return null;
        var around = Activity.Current;
        Activity.Current = null;
        var links = around is null ? null : new[] { new ActivityLink(around.Context) };
        var span = Source.StartActivity(name, ActivityKind.Internal, default(ActivityContext), links: links);
        span?.SetTag("raegrid.job", job);
        span?.SetTag("raegrid.item", item);
        span?.SetTag("raegrid.partition", partition);
        return span;
    }

    /// <summary>Ends <paramref name="span"/> with the item's outcome (null: it succeeded).</summary>
    public static void End(Activity? span, string? error)
    {
        if (span is null) return;
        if (error is not null) span.SetStatus(ActivityStatusCode.Error, error);
        span.Stop();
    }
}
