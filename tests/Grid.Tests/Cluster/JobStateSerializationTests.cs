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
            Total = 2500, PartitionSize = 1000, Partitions = 3, NextPartition = 2, Active = { 1 },
            FinishedDone = 999, FinishedFailed = 1, FailedByPartition = { [0] = 1 },
            FirstErrors = { new ItemError(7, "class 3", "boom") },
        };
        var back = _serializer.Deserialize<JobGrainState>(_serializer.Serialize(state));

        Assert.Equal(state.JobId, back.JobId);
        Assert.Equal(state.Created, back.Created);
        // The generate settings come back as the one object they were saved as (the contract record, written contractless).
        Assert.Equal(new SamplingSpec(7, "euler", "cfg", 2.5, 0.1, 0.9), back.Generate!.Sampling);
        Assert.Equal((42L, 64), (back.Generate.Seed, back.Generate.OutputSize));
        Assert.Equal([3, 4], back.Generate.Classes);
        Assert.Equal(state.RequestFingerprint, back.RequestFingerprint);
        Assert.Equal((2500, 1000, 3, 2), (back.Total, back.PartitionSize, back.Partitions, back.NextPartition));
        Assert.Equal([1], back.Active);
        Assert.Equal((999, 1, 0), (back.FinishedDone, back.FinishedFailed, back.FinishedCancelled));
        Assert.Equal(1, back.FailedByPartition[0]);
        Assert.Equal(new ItemError(7, "class 3", "boom"), back.FirstErrors.Single());
        // The last partition holds the remainder.
        Assert.Equal((2000, 500), (back.PlanOf(2).Start, back.PlanOf(2).Count));
    }

    [Fact]
    public void Partition_state_round_trips_through_the_state_serializer()
    {
        var plan = new PartitionPlan("j1", JobKind.Reconstruct, "tiny", "jobs/j1", 2, 2000, 3, null, 256, "jobs/j1/plan/inputs-00002.tsv");
        var state = new PartitionState
        {
            Plan = plan, Phases = [(byte)ItemPhase.Done, (byte)ItemPhase.Failed, (byte)ItemPhase.Pending], Attempts = [1, 5, 0],
            Seconds = [0.25f, 1.5f, 0f], Errors = { [1] = "b.png: not an image" },
        };
        var back = _serializer.Deserialize<PartitionState>(_serializer.Serialize(state));
        Assert.Equal(plan, back.Plan);
        Assert.Equal(state.Phases, back.Phases);
        Assert.Equal(state.Attempts, back.Attempts);
        Assert.Equal(state.Seconds, back.Seconds);
        Assert.Equal("b.png: not an image", back.Errors[1]);
        Assert.False(back.Finished);
    }

    [Fact]
    public void A_job_state_saved_before_partitions_reads_back_with_no_partitions()
    {
        // The old layout: keys 0-8 as today, key 18 the list of every item. It must still read (the job grain then
        // marks such a running job failed, asking for it to be submitted again) rather than fail every activation.
        var legacy = new object?[19];
        legacy[0] = "old"; legacy[1] = (int)JobKind.Reconstruct; legacy[2] = "tiny"; legacy[3] = (int)JobState.Running; legacy[4] = "jobs/old";
        legacy[5] = DateTimeOffset.UtcNow; legacy[8] = false; legacy[17] = 256;
        legacy[18] = new object[] { new object?[] { 0, "a.png", "jobs/old/inputs/00000_a.png", 0, (byte)0, 0, "jobs/old/00000_a.png", null, 0.0 } };
        var back = _serializer.Deserialize<JobGrainState>(_serializer.Serialize(legacy));
        Assert.Equal(("old", JobState.Running, 0), (back.JobId, back.State, back.Partitions));
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
