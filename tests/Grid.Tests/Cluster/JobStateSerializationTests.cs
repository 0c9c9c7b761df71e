using RAE.Grid.Contracts;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Cluster;

/// <summary>The persisted job state and job index survive the MessagePack state serializer (the file and Redis stores use it).</summary>
public sealed class JobStateSerializationTests
{
    readonly MessagePackGrainStorageSerializer _serializer = new();

    [Fact]
    public void Job_state_round_trips_through_the_state_serializer()
    {
        var state = new JobGrainState
        {
            JobId = "j1", Kind = JobKind.Generate, BundleId = "tiny", State = JobState.Running, OutputPrefix = "jobs/j1",
            Created = DateTimeOffset.UtcNow, RequestFingerprint = "ABC",
            Generate = new GenerateSpec([3, 4], 1, Seed: 42, new SamplingSpec(7, "euler", "cfg", 2.5, 0.1, 0.9), OutputSize: 64),
            Items =
            {
                new JobItem { Index = 0, Input = "class 3", Label = 3, Phase = ItemPhase.Done, Attempts = 1, Output = "jobs/j1/00000_class3.png", Seconds = 0.5 },
                new JobItem { Index = 1, Input = "class 4", Label = 4, Phase = ItemPhase.Failed, Attempts = 5, Error = "boom" },
            },
        };
        var back = _serializer.Deserialize<JobGrainState>(_serializer.Serialize(state));

        Assert.Equal(state.JobId, back.JobId);
        Assert.Equal(state.Created, back.Created);
        // The generate settings come back as the one object they were saved as (the contract record, written contractless).
        Assert.Equal(new SamplingSpec(7, "euler", "cfg", 2.5, 0.1, 0.9), back.Generate!.Sampling);
        Assert.Equal((42L, 64), (back.Generate.Seed, back.Generate.OutputSize));
        Assert.Equal([3, 4], back.Generate.Classes);
        Assert.Equal(state.RequestFingerprint, back.RequestFingerprint);
        Assert.Equal(2, back.Items.Count);
        Assert.Equal((ItemPhase.Failed, 5, "boom"), (back.Items[1].Phase, back.Items[1].Attempts, back.Items[1].Error));
        Assert.Equal(state.Items[0].Output, back.Items[0].Output);
    }

    [Fact]
    public void Job_index_round_trips_through_the_state_serializer()
    {
        var index = new JobIndexState { All = { "a", "b" }, Unfinished = { "b" } };
        var back = _serializer.Deserialize<JobIndexState>(_serializer.Serialize(index));
        Assert.Equal(["a", "b"], back.All);
        Assert.Equal(["b"], back.Unfinished);
    }
}
