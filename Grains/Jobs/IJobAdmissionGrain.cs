namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Admission of jobs to the grid (the job index grain, key 0, silo-internal): at most
/// <c>Grid:Pipeline:MaxConcurrentJobs</c> run at once; the others wait, and are admitted by priority, then arrival,
/// as running ones finish (<see cref="Contracts.IJobIndexGrain.MarkFinished"/>), with a call to
/// <see cref="IJobControlGrain.Admitted"/>.
/// </summary>
[Alias("rae.IJobAdmissionGrain")]
public interface IJobAdmissionGrain : IGrainWithIntegerKey
{
    /// <summary>True when <paramref name="jobId"/> may run now (idempotent); false: it waits in line and is told when admitted.</summary>
    [Alias("Admit")] Task<bool> Admit(string jobId, int priority);
}
