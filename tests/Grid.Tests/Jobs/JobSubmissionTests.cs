using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>From a request to a plan or one rejection: idempotent starts, every problem in one message, the bundle's answers, the prefix claim.</summary>
public sealed class JobSubmissionTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rae-submission-").FullName;
    readonly LocalDirectoryStore _store;

    public JobSubmissionTests() => _store = new LocalDirectoryStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    async Task<List<string>> ListAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var name in _store.ListAsync(prefix)) names.Add(name);
        return names;
    }

    static readonly JobRequest Generate = new(JobKind.Generate, "tiny", Generate: new GenerateSpec([1, 3], 2, 7, BestOf: new BestOfSpec(4, 1)));

    /// <summary>The grid as a test sets it up: hosted stages, the bundle's answers, and what was asked.</summary>
    sealed class Grid(params string[] hosted) : ISubmissionGrid
    {
        public Func<SamplingSpec, SamplingSpec> Sampling { get; init; } = s => s with { Steps = 25, Sampler = "euler" };
        public string? TakenBy { get; init; }
        public List<string> Asked { get; } = [];

        public Task<bool> HostsAsync(string stage, string bundleId) => Task.FromResult(hosted.Contains(stage));

        public Task<SamplingSpec> ResolveSamplingAsync(string bundleId, SamplingSpec requested, bool prompted)
        {
            Asked.Add("sampling");
            return Task.FromResult(Sampling(requested));
        }

        public Task<string> ResolveVerifierAsync(string bundleId, string? verifier)
        {
            Asked.Add("verifier");
            return Task.FromResult($"{verifier ?? "probe"}@3");
        }

        public Task<string?> ClaimAsync(string prefix, string jobId)
        {
            Asked.Add($"claim {prefix}");
            return Task.FromResult(TakenBy is null ? null : $"output prefix '{prefix}' belongs to job '{TakenBy}'");
        }
    }

    static readonly string[] GenerateStages = [StageNames.Diffusion, StageNames.Verifier, StageNames.Decoder];

    JobSubmission Submission(ISubmissionGrid grid) => new(new GridOptions(), _store, grid);

    [Fact]
    public void A_new_id_is_no_repeat_the_same_request_again_is_and_a_different_one_is_refused()
    {
        Assert.False(JobSubmission.Repeats("g", new JobGrainState(), Generate));
        var started = new JobGrainState { JobId = "g", State = JobState.Running, RequestFingerprint = JobPlanner.Fingerprint(Generate) };
        Assert.True(JobSubmission.Repeats("g", started, Generate with { }));
        var other = Generate with { Generate = Generate.Generate! with { Seed = 8 } };
        var e = Assert.Throws<InvalidOperationException>(() => JobSubmission.Repeats("g", started, other));
        Assert.Equal("job id 'g' is already used by a different request", e.Message);
    }

    [Fact]
    public async Task A_generate_job_is_planned_with_the_bundles_sampling_and_verifier_after_claiming_its_prefix()
    {
        var grid = new Grid(GenerateStages);
        var plan = await Submission(grid).PlanAsync("gen-1", Generate);
        Assert.Equal(["sampling", "verifier", "claim jobs/gen-1"], grid.Asked);
        Assert.Equal((25, "euler"), (plan.Generate!.Sampling!.Steps, plan.Generate.Sampling.Sampler));
        Assert.Equal("probe@3", plan.Generate.BestOf!.Verifier);
        Assert.Equal(("gen-1", "jobs/gen-1", 4, JobPlanner.Fingerprint(Generate)), (plan.JobId, plan.OutputPrefix, plan.Total, plan.RequestFingerprint));
    }

    [Fact]
    public async Task Every_problem_is_named_in_one_rejection_and_control_characters_in_the_id_show_as_question_marks()
    {
        var grid = new Grid(StageNames.Diffusion);
        var bad = new JobRequest(JobKind.Generate, "tiny", Generate: new GenerateSpec([], 0, 1), Priority: 500);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Submission(grid).PlanAsync("evil\nid\u0007", bad));
        Assert.StartsWith("job 'evil?id?' rejected: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        foreach (var problem in new[]
                 {
                     "priority: 500 is outside -100..100", "classes: a Generate job needs at least one class or prompt",
                     "per_class: must be at least 1, got 0", "job id: 'evil\\u000aid\\u0007' is not allowed",
                     "no active silo hosts the decoder stage for bundle 'tiny'",
                 })
            Assert.Contains(problem, e.Message);
        Assert.Equal(4, e.Message.Split("; ").Length - 1); // five problems, one message
        Assert.Empty(grid.Asked); // nothing resolved or claimed for a request already known bad
    }

    [Fact]
    public async Task A_bad_sampling_value_is_rejected_naming_the_field_before_the_prefix_is_claimed()
    {
        var grid = new Grid(GenerateStages) { Sampling = _ => throw new ArgumentException("sampler: 'eulr' is not one of euler, heun") };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Submission(grid).PlanAsync("gen-2", Generate));
        Assert.Equal("job 'gen-2' rejected: sampler: 'eulr' is not one of euler, heun", e.Message);
        Assert.Equal(["sampling"], grid.Asked);
    }

    [Fact]
    public async Task A_taken_prefix_rejects_the_job_before_anything_is_written_under_it()
    {
        var grid = new Grid(StageNames.Encoder, StageNames.Decoder) { TakenBy = "older" };
        var request = new JobRequest(JobKind.Reconstruct, "tiny", [new ImageSource("a.png", [1, 2, 3])], OutputPrefix: "shared/out");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Submission(grid).PlanAsync("recon-1", request));
        Assert.Equal("job 'recon-1' rejected: output prefix 'shared/out' belongs to job 'older'", e.Message);
        Assert.Empty(await ListAsync(""));

        var plan = await Submission(new Grid(StageNames.Encoder, StageNames.Decoder)).PlanAsync("recon-1", request);
        Assert.Equal((1, 1), (plan.Total, plan.Partitions));
        Assert.Contains(ItemNames.PlanFile("shared/out", 0), await ListAsync("shared/")); // planned: its plan file is written
    }

    [Theory]
    [InlineData(JobKind.Reconstruct, false, false, "encoder,decoder")]
    [InlineData(JobKind.Encode, false, false, "encoder")]
    [InlineData(JobKind.Generate, false, false, "diffusion,decoder")]
    [InlineData(JobKind.Generate, true, false, "text,diffusion,decoder")]
    [InlineData(JobKind.Generate, true, true, "text,diffusion,verifier,decoder")]
    public void A_job_needs_the_stages_its_items_pass(JobKind kind, bool prompted, bool bestOf, string stages)
    {
        var generate = prompted ? GenerateSpec.ForPrompts(["a shoe"], 1, 1) : new GenerateSpec([1], 1, 1);
        var request = new JobRequest(kind, "tiny", Generate: generate with { BestOf = bestOf ? new BestOfSpec(2, 1) : null });
        Assert.Equal(stages, string.Join(",", JobSubmission.StagesOf(request)));
    }
}
