using System.Diagnostics;
using RAE.Grid.Client;
using RAE.Grid.Contracts;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// Real faults on a real grid (<see cref="FaultCluster"/>: three <c>rae-grid serve</c> processes, a durable Redis,
/// Azurite on disk): a process is SIGKILLed — never stopped gracefully — while a 300-item generation job is at least
/// <see cref="FaultAt"/> done, or two clients contend for one job id or one output prefix. Each test then audits the job
/// straight from the store (<see cref="FaultAudit"/>): every item done exactly once, its output equal to the same
/// request run alone on the undisturbed grid, the manifest complete and truthful, nothing extra under the prefix. Each
/// prints one <c>FAULT</c> line with the counts and the job's time with and without the fault. The undisturbed run is
/// made once and shared.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class FaultTests(FaultCluster cluster, ITestOutputHelper output) : IClassFixture<FaultCluster>
{
    /// <summary>Items of every fault job: 10 classes × <see cref="PerClass"/>.</summary>
    const int Items = 300;
    const int PerClass = Items / 10;
    /// <summary>ODE steps per item: enough that the job runs for tens of seconds on two cores, so a fault lands mid-job.</summary>
    const int Steps = 8;
    /// <summary>Fraction of the job done before the fault is injected.</summary>
    const double FaultAt = 0.3;
    /// <summary>How long a storage process stays down before it is restarted.</summary>
    static readonly TimeSpan Downtime = TimeSpan.FromSeconds(3);
    /// <summary>Longest a job may take to finish, fault included.</summary>
    static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(150);

    static JobRequest Request(long seed, string? outputPrefix = null) => new(JobKind.Generate, FaultCluster.Bundle,
        Generate: new GenerateSpec(Enumerable.Range(0, 10).ToArray(), PerClass, seed, new SamplingSpec(Steps, Guidance: "none")),
        OutputPrefix: outputPrefix);

    [Fact]
    public Task Killing_the_silo_of_the_jobs_coordinator_mid_job_leaves_every_item_done_once_and_equal_to_an_undisturbed_run() => Checked(async () =>
    {
        await cluster.EnsureSilosAsync();
        var reference = await ReferenceAsync(0);
        var (id, clock) = await SubmitAsync(cluster.Grid, Request(0));
        var coordinator = await cluster.CoordinatorOfAsync(id, TimeSpan.FromSeconds(15))
                          ?? throw Failure($"no silo logged starting job {id}: its coordinator cannot be found");
        var done = await WaitForProgressAsync(cluster.Grid, id);
        coordinator.Process.Kill();
        output.WriteLine($"SIGKILLed {coordinator.Name} (coordinator of {id}) at {done}/{Items} done, {clock.Elapsed.TotalSeconds:F1} s in");
        await FinishAndAuditAsync("coordinator-silo-killed", cluster.Grid, id, clock, reference);
    });

    [Fact]
    public Task Killing_a_silo_holding_best_of_n_candidates_mid_job_keeps_and_stores_the_same_winners_as_an_undisturbed_run() => Checked(async () =>
    {
        await cluster.EnsureSilosAsync();
        var reference = await BestOfReferenceAsync();
        var (id, clock) = await SubmitAsync(cluster.Grid, BestOfRequest());
        var coordinator = await cluster.CoordinatorOfAsync(id, TimeSpan.FromSeconds(15))
                          ?? throw Failure($"no silo logged starting job {id}: its coordinator cannot be found");
        var done = await WaitForProgressAsync(cluster.Grid, id);
        // Every silo samples and holds candidates (round robin); one that does not coordinate the job dies holding some.
        var victim = cluster.Silos.First(s => s != coordinator);
        victim.Process.Kill();
        output.WriteLine($"SIGKILLed {victim.Name} (holding candidates of {id}) at {done}/{BestOfOutputs} kept outputs done, {clock.Elapsed.TotalSeconds:F1} s in");
        await FinishAndAuditAsync("best-of-silo-killed", cluster.Grid, id, clock, reference, expected: BestOfOutputs);
        var summary = (await cluster.Grid.GetStatusAsync(id)).BestOf;
        output.WriteLine($"FAULT best-of-silo-killed: {summary}");
        if (summary is null || summary.VerifierCalls < BestOfOutputs / BestOfKeep * BestOfN || summary.Decodes != BestOfOutputs)
            throw Failure($"best-of accounting is off after the fault: {summary}");
    });

    [Fact]
    public Task Restarting_Azurite_mid_job_leaves_every_item_done_once_and_equal_to_an_undisturbed_run() => Checked(async () =>
    {
        await cluster.EnsureSilosAsync();
        var reference = await ReferenceAsync(0);
        var (id, clock) = await SubmitAsync(cluster.Grid, Request(0));
        var done = await WaitForProgressAsync(cluster.Grid, id);
        cluster.Azurite.Kill();
        output.WriteLine($"SIGKILLed Azurite at {done}/{Items} done, {clock.Elapsed.TotalSeconds:F1} s in; restarting after {Downtime.TotalSeconds:0} s");
        await Task.Delay(Downtime);
        cluster.Azurite.Restart();
        await FinishAndAuditAsync("azurite-restarted", cluster.Grid, id, clock, reference);
    });

    [Fact]
    public Task Restarting_Redis_with_AOF_mid_job_leaves_every_item_done_once_and_equal_to_an_undisturbed_run() => Checked(async () =>
    {
        await cluster.EnsureSilosAsync();
        var reference = await ReferenceAsync(0);
        var (id, clock) = await SubmitAsync(cluster.Grid, Request(0));
        var done = await WaitForProgressAsync(cluster.Grid, id);
        cluster.Redis.Kill();
        output.WriteLine($"SIGKILLed Redis (AOF {RedisServer.AppendFsync}) at {done}/{Items} done, {clock.Elapsed.TotalSeconds:F1} s in; restarting after {Downtime.TotalSeconds:0} s");
        await Task.Delay(Downtime);
        cluster.Redis.Restart();
        await FinishAndAuditAsync("redis-restarted", cluster.Grid, id, clock, reference);
    });

    [Fact]
    public Task Two_clients_racing_to_start_one_new_job_id_with_different_requests_get_one_acceptance_and_one_clear_refusal() => Checked(async () =>
    {
        await cluster.EnsureSilosAsync();
        var first = await ReferenceAsync(0);
        var other = await cluster.ConnectClientAsync();
        var id = GridClient.NewJobId();
        // Both clients reach the (unstarted) job first, so neither Start waits on a location lookup and both are in
        // flight together: a real race, not one call after the other.
        await Task.WhenAll(cluster.Grid.GetStatusAsync(id), other.GetStatusAsync(id));
        var clock = Stopwatch.StartNew();
        var starts = new[] { (Seed: 0L, Start: cluster.Grid.SubmitAsync(Request(0), id)), (Seed: 1L, Start: other.SubmitAsync(Request(1), id)) };
        try { await Task.WhenAll(starts.Select(s => s.Start)); } catch (Exception) { } // looked at one by one below
        var accepted = starts.Where(s => s.Start.IsCompletedSuccessfully).ToList();
        var refused = starts.Where(s => !s.Start.IsCompletedSuccessfully).ToList();
        foreach (var r in refused) output.WriteLine($"refused (seed {r.Seed}): {r.Start.Exception?.InnerException?.Message}");
        var problems = new List<string>();
        if (accepted.Count != 1) problems.Add($"{accepted.Count} of the 2 racing starts were accepted, expected exactly 1");
        foreach (var r in refused)
            if (r.Start.Exception?.InnerException?.Message is not { } m || !m.Contains(id, StringComparison.Ordinal))
                problems.Add($"the refusal does not name the job id '{id}': {r.Start.Exception?.InnerException?.Message}");
        // The accepted job must be exactly its own request's run (seed 1's undisturbed run is made only when it won).
        var winner = accepted.Count > 0 ? accepted[^1].Seed : 0;
        var reference = winner == 0 ? first : await ReferenceAsync(winner);
        await FinishAndAuditAsync("start-race", cluster.Grid, id, clock, reference, problems);
    });

    [Fact]
    public Task A_second_job_on_a_running_jobs_output_prefix_is_refused_and_the_first_jobs_outputs_are_untouched() => Checked(async () =>
    {
        await cluster.EnsureSilosAsync();
        var reference = await ReferenceAsync(0);
        var (id, clock) = await SubmitAsync(cluster.Grid, Request(0));
        var done = await WaitForProgressAsync(cluster.Grid, id);
        var prefix = (await cluster.Grid.GetStatusAsync(id)).OutputPrefix;
        var intruderId = GridClient.NewJobId();
        var other = await cluster.ConnectClientAsync();
        var problems = new List<string>();
        try
        {
            await other.SubmitAsync(Request(1, prefix), intruderId);
            problems.Add($"job {intruderId} on job {id}'s output prefix '{prefix}' was accepted at {done}/{Items} done, expected a refusal");
            await WaitFinishedAsync(other, intruderId); // let it do whatever it does to the prefix before the audit
        }
        catch (Exception e) when (e is not MultiProcessFailure)
        {
            output.WriteLine($"refused at {done}/{Items} done: {e.Message}");
            if (!e.Message.Contains(prefix, StringComparison.Ordinal) || !e.Message.Contains(id, StringComparison.Ordinal))
                problems.Add($"the refusal names neither the prefix '{prefix}' nor its owner job '{id}': {e.Message}");
        }
        await FinishAndAuditAsync("prefix-claimed", cluster.Grid, id, clock, reference, problems);
    });

    /// <summary>Best-of-N fault job: 10 classes × 3 items, 8 candidates each, the best 2 kept (60 outputs, 240 candidates).</summary>
    const int BestOfN = 8, BestOfKeep = 2, BestOfOutputs = 10 * 3 * BestOfKeep;

    static JobRequest BestOfRequest() => new(JobKind.Generate, FaultCluster.Bundle,
        Generate: new GenerateSpec(Enumerable.Range(0, 10).ToArray(), 3, 0, new SamplingSpec(Steps, Guidance: "none"), BestOf: new BestOfSpec(BestOfN, BestOfKeep)));

    Task<FaultReference> BestOfReferenceAsync() => cluster.ReferenceAsync("best-of", async () =>
    {
        await ReferenceAsync(0); // warms every silo's diffusion and decoder
        var (id, clock) = await SubmitAsync(cluster.Grid, BestOfRequest());
        var status = await WaitFinishedAsync(cluster.Grid, id);
        var took = clock.Elapsed;
        var audit = new FaultAudit(BestOfOutputs);
        await audit.RunAsync(cluster.Store, status.OutputPrefix, null);
        output.WriteLine(audit.Line("reference best-of (undisturbed)", took, took));
        output.WriteLine($"reference best-of: {status.BestOf}");
        if (!status.IsFinished || !audit.Clean)
            throw Failure($"the undisturbed best-of run (job {id}, {status.State}) is not clean:\n  - " + string.Join("\n  - ", audit.Problems));
        return new FaultReference(id, took, await FaultAudit.PixelsAsync(cluster.Store, status.OutputPrefix, BestOfOutputs));
    });

    Task<FaultReference> ReferenceAsync(long seed) => cluster.ReferenceAsync($"seed-{seed}", async () =>
    {
        // A first small job loads the bundle on every silo and JITs the path, so the reference time is a warm one.
        var (warmId, _) = await SubmitAsync(cluster.Grid, new JobRequest(JobKind.Generate, FaultCluster.Bundle,
            Generate: new GenerateSpec(Enumerable.Range(0, 10).ToArray(), 3, seed + 1000, new SamplingSpec(Steps, Guidance: "none"))));
        await WaitFinishedAsync(cluster.Grid, warmId);
        var (id, clock) = await SubmitAsync(cluster.Grid, Request(seed));
        var status = await WaitFinishedAsync(cluster.Grid, id);
        var took = clock.Elapsed;
        var audit = new FaultAudit(Items);
        await audit.RunAsync(cluster.Store, status.OutputPrefix, null);
        output.WriteLine(audit.Line($"reference seed {seed} (undisturbed)", took, took));
        if (!status.IsFinished || !audit.Clean)
            throw Failure($"the undisturbed run of seed {seed} (job {id}, {status.State}) is not clean:\n  - " + string.Join("\n  - ", audit.Problems));
        return new FaultReference(id, took, await FaultAudit.PixelsAsync(cluster.Store, status.OutputPrefix, Items));
    });

    /// <summary>
    /// Submits under a new id. A start that failed in transit (the client's gateway was a silo an earlier test killed)
    /// is sent again: the same request under the same id is answered with the job's status, never started twice.
    /// </summary>
    static async Task<(string Id, Stopwatch Clock)> SubmitAsync(GridClient grid, JobRequest request)
    {
        var id = GridClient.NewJobId();
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try { await grid.SubmitAsync(request, id); return (id, clock); }
            catch (Exception e) when (IsTransport(e) && attempt < 3) { await Task.Delay(1000); }
        }
    }

    static bool IsTransport(Exception e) => e is Orleans.Runtime.OrleansException or TimeoutException;

    /// <summary>Done items once at least <see cref="FaultAt"/> of the job is done; fails if the job ends first (the fault would not be mid-job).</summary>
    async Task<int> WaitForProgressAsync(GridClient grid, string id)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < JobTimeout)
        {
            JobStatus status;
            try { status = await grid.GetStatusAsync(id); }
            catch (Exception e) when (IsTransport(e)) { await Task.Delay(250); continue; }
            if (status.IsFinished) throw Failure($"job {id} finished ({status.State}, {status.Done} done) before {FaultAt:P0} of it was done and the fault injected");
            if (status.Done >= FaultAt * status.Total && status.Total > 0)
            {
                if (status.Done == status.Total) throw Failure($"job {id} had every item done before the fault");
                return status.Done;
            }
            await Task.Delay(100);
        }
        throw Failure($"job {id} did not reach {FaultAt:P0} done within {JobTimeout.TotalSeconds:0} s");
    }

    /// <summary>The job's status once finished, polling through faults (a call may fail while a silo or Redis is down); the last one seen after <see cref="JobTimeout"/>.</summary>
    static async Task<JobStatus> WaitFinishedAsync(GridClient grid, string id)
    {
        var clock = Stopwatch.StartNew();
        JobStatus? last = null;
        Exception? error = null;
        while (clock.Elapsed < JobTimeout)
        {
            try
            {
                last = await grid.GetStatusAsync(id).WaitAsync(TimeSpan.FromSeconds(10));
                if (last.IsFinished) return last;
            }
            catch (Exception e) { error = e; }
            await Task.Delay(250);
        }
        return last ?? throw new TimeoutException($"job {id}'s status could not be read within {JobTimeout.TotalSeconds:0} s: {error?.Message}");
    }

    async Task FinishAndAuditAsync(string name, GridClient grid, string id, Stopwatch clock, FaultReference reference, List<string>? problems = null,
        int expected = Items)
    {
        var status = await WaitFinishedAsync(grid, id);
        var took = clock.Elapsed;
        var audit = new FaultAudit(expected);
        if (!status.IsFinished) audit.Problems.Add($"job {id} did not finish within {JobTimeout.TotalSeconds:0} s ({status.State}, {status.Done} done, {status.Failed} failed)");
        if (status.State != JobState.Completed)
            audit.Problems.Add($"job {id} ended {status.State}: {status.Done} done, {status.Failed} failed; {status.Message} " +
                               string.Join("; ", status.Errors.Take(3).Select(e => $"item {e.Index}: {e.Message}")));
        await audit.RunAsync(cluster.Store, status.OutputPrefix, reference.Pixels);
        audit.Problems.InsertRange(0, problems ?? []);
        var line = audit.Line(name, took, reference.Duration);
        output.WriteLine(line);
        Console.WriteLine(line);
        if (!audit.Clean) throw Failure($"{line}\njob {id}: {audit.Problems.Count} problem(s):\n  - " + string.Join("\n  - ", audit.Problems));
    }

    MultiProcessFailure Failure(string message) => new(message, cluster.Diagnostics(30));

    /// <summary>Runs a test body; any unexpected exception is reported with every process's output.</summary>
    async Task Checked(Func<Task> body)
    {
        try { await body(); }
        catch (MultiProcessFailure) { throw; }
        catch (Exception e) { throw new MultiProcessFailure($"{e.GetType().Name}: {e.Message}", cluster.Diagnostics(30), e); }
    }
}
