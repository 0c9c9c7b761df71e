using System.Collections.Concurrent;
using System.Diagnostics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Grid.Tests.Cluster;

namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>
/// Item spans: on a grid whose encoder and decoder live on different silos, each item of a job is one trace — its
/// partition's item span and its encoder and decoder stage spans (with queue wait and compute) share its trace id.
/// </summary>
public sealed class ItemTracingTests
{
    [Fact]
    public async Task Each_items_stage_spans_on_two_silos_share_the_items_trace_id()
    {
        const int count = 4;
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is GridTracing.SourceName or GridTracing.OrleansApplicationSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        using var folders = new GridTestFolders();
        await using var grid = await GridTestCluster.StartAsync(new GridClusterSpec([[StageNames.Encoder], [StageNames.Decoder]]), folders);
        var id = TestInputs.JobId("traced");
        await grid.Client.GetGrain<IJobGrain>(id).Start(new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, TestInputs.RandomPngs(count)));
        var status = await grid.WaitForJobAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));

        // Other tests in this process make spans too: keep this job's.
        var spans = stopped.Where(a => a.Source.Name == GridTracing.SourceName && (a.GetTagItem("raegrid.job") as string) == id).ToList();
        var items = spans.Where(a => a.OperationName == "item").ToList();
        Assert.Equal(count, items.Count);
        Assert.Equal(count, items.Select(a => a.TraceId).Distinct().Count()); // one trace per item
        Assert.All(items, a => Assert.Null(a.ParentId));
        foreach (var item in items)
        {
            var stages = spans.Where(a => a.OperationName.StartsWith("stage ") && a.TraceId == item.TraceId).ToList();
            Assert.Equal([$"stage {StageNames.Decoder}/{GridTestFolders.BundleId}", $"stage {StageNames.Encoder}/{GridTestFolders.BundleId}"],
                stages.Select(a => a.OperationName).Order().ToArray());
            Assert.All(stages, s =>
            {
                Assert.True(s.GetTagItem("raegrid.queue_wait_s") is double wait && wait >= 0, $"{s.OperationName} has no queue wait");
                Assert.True(s.GetTagItem("raegrid.compute_s") is double compute && compute > 0, $"{s.OperationName} has no compute time");
                Assert.Equal(ActivityStatusCode.Unset, s.Status);
            });
            // The stage spans nest under the grain calls that carried the item's context from silo to silo.
            Assert.All(stages, s => Assert.True(s.Parent is null || s.Parent.TraceId == item.TraceId));
        }
        Assert.Equal(count * 2, spans.Count(a => a.OperationName.StartsWith("stage ")));
    }
}
