using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grid.Tests.Cluster;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>
/// The silo's Prometheus endpoint (Metrics:Port), scraped during and after a real reconstruct job on a one-silo grid:
/// the raegrid_ stage and job metrics are there with values that agree with what the stages ran.
/// </summary>
public sealed class MetricsScrapeTests(ITestOutputHelper output)
{
    // A bundle id no other test uses: stage series of other test clusters in this process (same meters) never match it.
    const string Bundle = "observed";

    [Fact]
    public async Task A_scrape_during_and_after_a_job_shows_its_stage_and_job_metrics_matching_what_ran()
    {
        const int count = 8;
        var port = ObservedEndpoints.FreePort();
        using var folders = new GridTestFolders();
        var spec = new GridClusterSpec([StageNames.All])
        {
            Extra = new Dictionary<string, string?>
            {
                ["Metrics:Port"] = port.ToString(),
                [$"Grid:Bundles:{Bundle}"] = folders.BundlePath,
                ["Grid:Batching:encoder:MaxBatch"] = "4",
                // One item per decoder batch at 150 ms each (a stand-in): the job runs long enough to be scraped while it runs.
                ["Grid:Batching:decoder:MaxBatch"] = "1",
                ["Grid:StandIn:decoder"] = "150",
            },
        };
        await using var grid = await GridTestCluster.StartAsync(spec, folders);
        var id = TestInputs.JobId("scraped");
        var job = grid.Client.GetGrain<IJobGrain>(id);
        await job.Start(new JobRequest(JobKind.Reconstruct, Bundle, TestInputs.RandomPngs(count)));

        // Scrapes taken while the job was Running both before and after them must show it.
        var during = new List<PrometheusText>();
        JobStatus status;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!(status = await job.GetStatus()).IsFinished && DateTime.UtcNow < deadline)
        {
            var scrape = await ObservedEndpoints.ScrapeAsync(port);
            if (status.State == JobState.Running && (await job.GetStatus()).State == JobState.Running) during.Add(scrape);
            await Task.Delay(100);
        }
        Assert.True(status.State == JobState.Completed, GridTestCluster.Describe(status));
        Assert.NotEmpty(during);
        foreach (var scrape in during)
        {
            var byState = new[] { "pending", "in_flight", "done", "failed", "cancelled" }
                .ToDictionary(s => s, s => scrape.Value("raegrid_job_items", $"job={id}", $"bundle={Bundle}", $"state={s}"));
            Assert.Equal(count, byState.Values.Sum());
            Assert.True(scrape.Value("raegrid_job_items_per_second", $"job={id}") >= 0);
        }
        var last = during[^1];
        output.WriteLine("--- scrape during the job (raegrid_ lines) ---\n" + last.Excerpt());

        var after = await ObservedEndpoints.ScrapeAsync(port);
        output.WriteLine("--- scrape after the job (raegrid_ lines) ---\n" + after.Excerpt());
        // An ended job leaves the job gauges.
        Assert.Empty(after.Of("raegrid_job_items", $"job={id}"));
        var stats = grid.Stages(0).Statistics;
        foreach (var stage in new[] { StageNames.Encoder, StageNames.Decoder })
        {
            var tags = new[] { $"stage={stage}", $"bundle={Bundle}" };
            var (batches, items) = stats[$"{stage}/{Bundle}"];
            Assert.Equal(count, items);
            Assert.Equal(items, after.Value("raegrid_stage_items_total", tags));
            Assert.Equal(batches, after.Value("raegrid_stage_batch_size_count", tags));
            Assert.Equal(items, after.Value("raegrid_stage_batch_size_sum", tags));
            Assert.Equal(batches, after.Value("raegrid_stage_compute_seconds_count", tags));
            Assert.Equal(items, after.Value("raegrid_stage_queue_wait_seconds_count", tags));
            Assert.True(after.Value("raegrid_stage_compute_seconds_sum", tags) > 0);
            Assert.Equal(0, after.Value("raegrid_stage_queue_depth", tags));
            Assert.Empty(after.Of("raegrid_stage_failures_total", tags));
            Assert.Empty(after.Of("raegrid_stage_rejections_total", tags));
        }
        // The stand-in decoder ran one item per batch, 150 ms each.
        Assert.Equal(count, stats[$"{StageNames.Decoder}/{Bundle}"].Batches);
        Assert.True(after.Value("raegrid_stage_compute_seconds_sum", $"stage={StageNames.Decoder}", $"bundle={Bundle}") >= count * 0.15);
        // Orleans' own meter is exported beside ours.
        Assert.Contains(after.Samples, s => s.Name.StartsWith("orleans_"));
    }
}
