using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RAE.Grid.Client;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Access;
using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Placement;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Grid.Tests.Cluster;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Access;

/// <summary>
/// Client credentials at the gateway, job ownership, owned output prefixes and the silo-internal grains, each through a
/// real silo's gateway and real clients (<see cref="SecuredGrid"/>). Prints the messages refused clients get.
/// </summary>
public sealed class ClientAccessTests(ITestOutputHelper output)
{
    static readonly TimeSpan JobDeadline = TimeSpan.FromMinutes(2);
    static readonly ClientCredential Alice = new("alice", "alice-secret-1");
    static readonly ClientCredential Bob = new("bob", "bob-secret-2");
    static readonly ClientCredential Ops = new("ops", "ops-secret-3");

    /// <summary>Alice's secret configured as its SHA-256 (as production should), Bob's and the admin's in clear.</summary>
    static readonly Dictionary<string, string?> Clients = new()
    {
        ["Security:Clients:0:Name"] = Alice.Name,
        ["Security:Clients:0:SecretSha256"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Alice.Secret))),
        ["Security:Clients:1:Name"] = Bob.Name,
        ["Security:Clients:1:Secret"] = Bob.Secret,
        ["Security:Clients:2:Name"] = Ops.Name,
        ["Security:Clients:2:Secret"] = Ops.Secret,
        ["Security:Clients:2:Admin"] = "true",
    };

    static JobRequest OneSample(string? outputPrefix = null) =>
        new(JobKind.Generate, GridTestFolders.BundleId, OutputPrefix: outputPrefix,
            Generate: new GenerateSpec([0], 1, Seed: 5, new SamplingSpec(Steps: 2, Guidance: "none")));

    static async Task<JobStatus> WaitAsync(GridClient client, string id)
    {
        using var deadline = new CancellationTokenSource(JobDeadline);
        return await client.WaitAsync(id, deadline.Token);
    }

    [Fact]
    public async Task A_client_without_the_credential_is_refused_and_one_with_it_is_served()
    {
        using var folders = new GridTestFolders();
        await using var grid = await SecuredGrid.StartAsync(folders, Clients);
        var id = "alice-job-1"; // each test has its own grid: fixed ids keep the printed messages the same run to run

        var anonymous = await grid.ConnectAsync(null);
        var none = await Assert.ThrowsAsync<AccessDeniedException>(() => anonymous.SubmitAsync(OneSample(), id));
        Assert.Equal(ClientAccessFilter.NoCredential, none.Message);
        var wrong = await grid.ConnectAsync(Alice with { Secret = "guessed" });
        var bad = await Assert.ThrowsAsync<AccessDeniedException>(() => wrong.GetStatusAsync(id));
        Assert.Equal(ClientAccessFilter.BadCredential, bad.Message);
        var stranger = await grid.ConnectAsync(new ClientCredential("mallory", Alice.Secret));
        Assert.Equal(ClientAccessFilter.BadCredential, (await Assert.ThrowsAsync<AccessDeniedException>(() => stranger.ListJobsAsync().ToArrayAsync().AsTask())).Message);
        Assert.Equal(JobState.Unknown, (await grid.SiloGrains.GetGrain<IJobGrain>(id).GetStatus()).State); // nothing was started

        var alice = await grid.ConnectAsync(Alice);
        await alice.SubmitAsync(OneSample(), id);
        var done = await WaitAsync(alice, id);
        Assert.True(done.State == JobState.Completed, GridTestCluster.Describe(done));
        Assert.Equal([id], await alice.ListJobsAsync().ToArrayAsync());
        output.WriteLine($"no credential: {none.GetType().Name}: {none.Message}");
        output.WriteLine($"wrong secret:  {bad.GetType().Name}: {bad.Message}");
        output.WriteLine($"with the credential: job {id} {done.State}, {done.Done} done");
    }

    [Fact]
    public async Task A_client_cannot_read_or_cancel_another_clients_job_nor_read_its_outputs_but_its_owner_and_an_admin_can()
    {
        using var folders = new GridTestFolders();
        await using var grid = await SecuredGrid.StartAsync(folders, Clients);
        var alice = await grid.ConnectAsync(Alice);
        var bobRaw = await grid.ConnectRawAsync(Bob);
        var bob = new GridClient(bobRaw);
        var ops = await grid.ConnectAsync(Ops);
        var id = "alice-job-2";
        await alice.SubmitAsync(OneSample(), id);
        var done = await WaitAsync(alice, id);
        Assert.True(done.State == JobState.Completed, GridTestCluster.Describe(done));

        var foreignJob = $"access denied: job '{id}' belongs to another client";
        Assert.Equal(foreignJob, (await Assert.ThrowsAsync<AccessDeniedException>(() => bob.GetStatusAsync(id))).Message);
        Assert.Equal(foreignJob, (await Assert.ThrowsAsync<AccessDeniedException>(() => bob.CancelAsync(id))).Message);
        Assert.Equal(foreignJob, (await Assert.ThrowsAsync<AccessDeniedException>(() => bob.ErrorsAsync(id).ToArrayAsync().AsTask())).Message);
        Assert.Equal(foreignJob, (await Assert.ThrowsAsync<AccessDeniedException>(() => bob.SubmitAsync(OneSample(), id))).Message);
        using var bobDir = new TempDir();
        await Assert.ThrowsAsync<AccessDeniedException>(() => bob.FetchAsync(id, bobDir.Path));
        var reader = bobRaw.GetGrain<IOutputReaderGrain>(0);
        var foreignOutput = await Assert.ThrowsAsync<AccessDeniedException>(() => reader.ReadChunk(done.Manifest!, 0, 100));
        Assert.Equal($"access denied: '{done.Manifest}' is not under the output prefix of a job of client 'bob'", foreignOutput.Message);
        await Assert.ThrowsAsync<AccessDeniedException>(() => reader.List($"{done.OutputPrefix}/"));
        await Assert.ThrowsAsync<AccessDeniedException>(() => reader.Length(done.Manifest!));
        await Assert.ThrowsAsync<AccessDeniedException>(() => reader.List(""));
        Assert.Empty(await bob.ListJobsAsync().ToArrayAsync());
        // Nor can Bob have a job of his read Alice's outputs for him.
        var stolen = await Assert.ThrowsAsync<AccessDeniedException>(() => bob.SubmitAsync(
            new JobRequest(JobKind.Reconstruct, GridTestFolders.BundleId, InputPrefix: $"{done.OutputPrefix}/"), "bob-job-1"));
        Assert.Equal($"access denied: input '{done.OutputPrefix}/' is neither an upload nor under the output prefix of a job of client 'bob'", stolen.Message);
        Assert.Equal(JobState.Completed, (await alice.GetStatusAsync(id)).State); // Bob's cancel changed nothing

        using var aliceDir = new TempDir();
        Assert.Contains(await alice.FetchAsync(id, aliceDir.Path), f => f.EndsWith("manifest.json"));
        using var opsDir = new TempDir();
        Assert.Contains(await ops.FetchAsync(id, opsDir.Path), f => f.EndsWith("manifest.json"));
        Assert.Equal(JobState.Completed, (await ops.GetStatusAsync(id)).State);
        Assert.Contains(id, await ops.ListJobsAsync().ToArrayAsync());
        output.WriteLine($"foreign job:    {foreignJob}");
        output.WriteLine($"foreign output: {foreignOutput.Message}");
        output.WriteLine($"foreign input:  {stolen.Message}");
    }

    [Fact]
    public async Task A_client_cannot_call_a_stage_grain_a_partition_or_the_jobs_bookkeeping_even_on_an_open_grid()
    {
        using var folders = new GridTestFolders();
        await using var grid = await SecuredGrid.StartAsync(folders, new Dictionary<string, string?>()); // no Security: open
        var client = await grid.ConnectRawAsync(null);
        var silo = grid.Silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var stage = StageKeys.For(GridTestFolders.BundleId, silo);

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() =>
            client.GetGrain<IDiffusionStageGrain>(stage).ResolveSampling(SamplingSpec.BundleDefaults));
        Assert.Equal("access denied: IDiffusionStageGrain.ResolveSampling is not callable from clients", refused.Message);
        await Assert.ThrowsAsync<AccessDeniedException>(() => client.GetGrain<IEncoderStageGrain>(stage).Encode(TestInputs.RandomPngs(1)[0]));
        // The decoder stage reads any store names and writes a sheet anywhere for the job grain: a client asking it to
        // read another job's outputs into a name of its choosing is refused, and nothing is written.
        var sheet = await Assert.ThrowsAsync<AccessDeniedException>(() => client.GetGrain<IDecoderStageGrain>(stage)
            .WriteContactSheet("mine/stolen.png", ["jobs/someone-else/00000_class0.png"], 128));
        Assert.Equal("access denied: IDecoderStageGrain.WriteContactSheet is not callable from clients", sheet.Message);
        Assert.False(await grid.Silo.Services.GetRequiredService<IOutputStore>().ExistsAsync("mine/stolen.png"));
        await Assert.ThrowsAsync<AccessDeniedException>(() => client.GetGrain<IVerifierStageGrain>(stage)
            .Score(new TensorPayload("float32", [1], new byte[4]), new VerifyRequest(ItemCondition.Class(0), null)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => client.GetGrain<IPartitionGrain>("any/0").Errors(0, 1));
        await Assert.ThrowsAsync<AccessDeniedException>(() => client.GetGrain<IJobIndexGrain>(0).Unfinished());
        await Assert.ThrowsAsync<AccessDeniedException>(() => client.GetGrain<IJobIndexGrain>(0).Add("planted"));
        await Assert.ThrowsAsync<AccessDeniedException>(() => client.GetGrain<IOutputClaimsGrain>(0).Claim("jobs/x", "x", null));
        // The same calls from inside the grid are served, and so are the client-facing ones from the client.
        Assert.Equal("none", (await grid.SiloGrains.GetGrain<IDiffusionStageGrain>(stage).ResolveSampling(new SamplingSpec(Guidance: "none"))).Guidance);
        Assert.Equal(0, await client.GetGrain<IJobIndexGrain>(0).Count());
        output.WriteLine($"stage grain from a client: {refused.Message}; {sheet.Message}");
    }

    [Fact]
    public async Task A_second_job_cannot_claim_a_prefix_another_job_holds_nor_one_inside_or_around_it()
    {
        using var folders = new GridTestFolders();
        await using var grid = await SecuredGrid.StartAsync(folders, new Dictionary<string, string?>());
        var client = await grid.ConnectAsync(null);
        var first = "claim-first";
        await client.SubmitAsync(OneSample("shared/out"), first);

        var same = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitAsync(OneSample("shared/out"), "claim-same"));
        Assert.Contains($"output prefix 'shared/out' belongs to job '{first}'", same.Message);
        var inner = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitAsync(OneSample("shared/out/inner"), "claim-inner"));
        Assert.Contains($"output prefix 'shared/out/inner' overlaps 'shared/out', which belongs to job '{first}'", inner.Message);
        var outer = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitAsync(OneSample("shared"), "claim-outer"));
        Assert.Contains($"output prefix 'shared' overlaps 'shared/out', which belongs to job '{first}'", outer.Message);
        // A sibling prefix is free, and the first job's own repeated start is still its own.
        var sibling = "claim-sibling";
        await client.SubmitAsync(OneSample("shared/out2"), sibling);
        await client.SubmitAsync(OneSample("shared/out"), first);

        foreach (var id in new[] { first, sibling })
        {
            var done = await WaitAsync(client, id);
            Assert.True(done.State == JobState.Completed, GridTestCluster.Describe(done));
        }
        var rejectedIds = (await client.ListJobsAsync().ToArrayAsync()).Where(j => j.StartsWith("claim-") && j != first && j != sibling);
        Assert.Empty(rejectedIds);
        output.WriteLine($"same prefix: {same.Message}");
        output.WriteLine($"nested:      {inner.Message}");
    }

    /// <summary>A temporary folder, deleted on dispose.</summary>
    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("rae-access-").FullName;
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
