using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Grains.Stages;

namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>
/// A real batcher's counters, read with a MeterListener: a full queue counts a rejection (queue_full), and each item
/// without an output counts one failure by its cause (rejected, compute_deadline, model_error, cancelled).
/// </summary>
public sealed class StageMetricsTests
{
    [Fact]
    public async Task A_batcher_counts_queue_full_rejections_and_failures_by_cause()
    {
        // A bundle tag of this test's own: other batchers in this process report to the same meter.
        var bundle = $"b{Guid.NewGuid():N}";
        var seen = new ConcurrentQueue<(string Name, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == StageMetrics.MeterName) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(kv => kv.Key, kv => kv.Value);
            if (Equals(t.GetValueOrDefault("bundle"), bundle)) seen.Enqueue((instrument.Name, value, t));
        });
        listener.Start();

        using var metrics = new StageMetrics();
        using var gate = new ManualResetEventSlim();
        await using var batcher = new StageBatcher<string, string>($"encoder/{bundle}", new BatchingOptions { MaxBatch = 8, MaxWaitMs = 1, QueueCapacity = 2 },
            items =>
            {
                gate.Wait();
                return items[0] == "boom" ? throw new InvalidOperationException("the model broke") : items.Select(Outcome).ToList();
            }, instruments: metrics.For(StageNames.Encoder, bundle));

        var first = batcher.EnqueueAsync("ok");
        var second = batcher.EnqueueAsync("ok too");
        // Capacity 2, held by those two (the first batch waits at the gate): refused at once, thrown by the call.
        Assert.Throws<StageBusyException>(() => { _ = batcher.EnqueueAsync("turned away"); });
        gate.Set();
        Assert.Equal(["ok!", "ok too!"], await Task.WhenAll(first, second));
        // One at a time from here: a finished request may hold its slot a moment after its answer, so capacity 2 always fits the next.
        await Assert.ThrowsAsync<ItemRejectedException>(() => batcher.EnqueueAsync("bad"));
        await Assert.ThrowsAsync<ItemRejectedException>(() => batcher.EnqueueAsync("slow"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.EnqueueAsync("boom"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batcher.EnqueueAsync("gone", new CancellationToken(canceled: true)));

        long Sum(string name, string? key = null, string? value = null) =>
            seen.Where(m => m.Name == name && (key is null || Equals(m.Tags.GetValueOrDefault(key), value))).Sum(m => m.Value);
        Assert.Equal(1, Sum("raegrid_stage_rejections_total", "reason", "queue_full"));
        Assert.Equal(1, Sum("raegrid_stage_failures_total", "cause", FailureCauses.Rejected));
        Assert.Equal(1, Sum("raegrid_stage_failures_total", "cause", FailureCauses.ComputeDeadline));
        Assert.Equal(1, Sum("raegrid_stage_failures_total", "cause", FailureCauses.ModelError));
        Assert.Equal(1, Sum("raegrid_stage_failures_total", "cause", FailureCauses.Cancelled));
        Assert.Equal(4, Sum("raegrid_stage_failures_total"));
        // Run: ok, ok too, bad, slow, boom (the cancelled one never reached the model).
        Assert.Equal(5, Sum("raegrid_stage_items_total"));
        Assert.Equal(batcher.Items, Sum("raegrid_stage_items_total"));
        Assert.All(seen, m => Assert.Equal(StageNames.Encoder, m.Tags["stage"]));
    }

    static Result<string> Outcome(string item) => item switch
    {
        "bad" => Result<string>.Fail(new ItemRejectedException("not an image")),
        "slow" => Result<string>.Fail(FailureCauses.Mark(new ItemRejectedException("over ItemComputeSeconds"), FailureCauses.ComputeDeadline)),
        _ => Result<string>.Ok(item + "!"),
    };
}
