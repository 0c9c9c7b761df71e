using System.Text;
using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>
/// A job's last step: which images go on its contact sheet, outputs written before the state turns final, and a failed
/// state write leaving the job Running. The sheet maker here stands for the decoder stage (it records what it was asked).
/// </summary>
public sealed class JobFinisherTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rae-finisher-").FullName;
    readonly LocalDirectoryStore _store;
    readonly JobGrainState _state = JobScheduleTests.Running(2);
    readonly List<(string Name, string[] Images)> _sheets = [];

    public JobFinisherTests() => _store = new LocalDirectoryStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Item records of partition <paramref name="partition"/>: items <paramref name="first"/>.. of which every third failed.</summary>
    async Task RecordsAsync(int partition, int first, int count)
    {
        var lines = Enumerable.Range(first, count).Select(i => JsonSerializer.Serialize(i % 3 == 2
            ? new { index = i, source = $"in/{i}.png", phase = "Failed", output = (string?)null }
            : new { index = i, source = $"in/{i}.png", phase = "Done", output = (string?)$"jobs/job/{i:D5}.png" }));
        await _store.PutAsync($"jobs/job/{ItemNames.RecordsFile(partition)}", Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"), "application/x-ndjson");
    }

    Task<bool> MakeSheet(string name, string[] images)
    {
        _sheets.Add((name, images));
        return Task.FromResult(true);
    }

    [Fact]
    public async Task The_sheet_shows_the_first_done_outputs_in_item_order_at_most_max_contact_sheet_items()
    {
        await RecordsAsync(0, 0, 60);
        await RecordsAsync(1, 60, 60);
        var images = await JobOutputs.ContactSheetImagesAsync(_state, _store, default);
        var expected = Enumerable.Range(0, 120).Where(i => i % 3 != 2).Take(JobOutputs.MaxContactSheetItems).Select(i => $"jobs/job/{i:D5}.png");
        Assert.Equal(expected, images);
        _state.Kind = JobKind.Encode; // an encode job shows its done items' inputs
        Assert.Equal("in/0.png", (await JobOutputs.ContactSheetImagesAsync(_state, _store, default))[0]);
    }

    [Fact]
    public async Task Outputs_are_in_the_store_before_the_final_state_is_persisted()
    {
        await RecordsAsync(0, 0, 4);
        var persisted = 0;
        await new JobFinisher(_state, _store).FinishAsync(JobState.CompletedWithErrors, MakeSheet, async () =>
        {
            persisted++;
            Assert.True(await _store.ExistsAsync("jobs/job/manifest.json"));
            Assert.Single(_sheets);
            Assert.Equal(JobState.CompletedWithErrors, _state.State);
        }, default);

        Assert.Equal(1, persisted);
        Assert.Equal(("jobs/job/contact-sheet.png", "jobs/job/00000.png,jobs/job/00001.png,jobs/job/00003.png"),
            (_sheets[0].Name, string.Join(",", _sheets[0].Images)));
        Assert.Equal(("jobs/job/manifest.json", "jobs/job/contact-sheet.png"), (_state.Manifest, _state.ContactSheet));
        Assert.NotNull(_state.Finished);
        var manifest = JsonDocument.Parse((await _store.GetAsync("jobs/job/manifest.json"))!).RootElement;
        Assert.Equal("CompletedWithErrors", manifest.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData(false, true)]  // no stage to make it (an encode job on an encoder-only grid)
    [InlineData(true, false)]  // no done item
    public async Task Without_a_maker_or_images_the_job_finishes_without_a_sheet(bool maker, bool records)
    {
        if (records) await RecordsAsync(0, 0, 3);
        await new JobFinisher(_state, _store).FinishAsync(JobState.Completed, maker ? MakeSheet : null, () => Task.CompletedTask, default);
        Assert.Empty(_sheets);
        Assert.Equal((JobState.Completed, "jobs/job/manifest.json"), (_state.State, _state.Manifest));
        Assert.Null(_state.ContactSheet);
    }

    [Fact]
    public async Task A_sheet_the_stage_could_not_make_is_not_named()
    {
        await RecordsAsync(0, 0, 3);
        await new JobFinisher(_state, _store).FinishAsync(JobState.Completed, (_, _) => Task.FromResult(false), () => Task.CompletedTask, default);
        Assert.Null(_state.ContactSheet);
    }

    [Fact]
    public async Task A_failed_state_write_leaves_the_job_running_as_it_was()
    {
        await RecordsAsync(0, 0, 3);
        var e = await Assert.ThrowsAsync<IOException>(() => new JobFinisher(_state, _store).FinishAsync(JobState.Completed, MakeSheet,
            () => throw new IOException("state storage is down"), default));
        Assert.Equal("state storage is down", e.Message);
        Assert.Equal(JobState.Running, _state.State);
        Assert.True(_state is { Manifest: null, ContactSheet: null, Finished: null });
    }
}
