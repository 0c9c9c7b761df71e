using System.Runtime.CompilerServices;
using RAE.Grid.Contracts;

namespace RAE.Grid.Client;

/// <summary>
/// Submits jobs to the grid, watches their progress and fetches their outputs. Works the same against an embedded silo
/// or a remote cluster: it needs only an <see cref="IClusterClient"/> (the grid's store is read through the grid).
/// </summary>
public sealed class GridClient(IClusterClient cluster)
{
    /// <summary>A new job id: time-ordered and unique.</summary>
    public static string NewJobId() => $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Starts a job (under <paramref name="jobId"/> or a new id) and returns its first status. An id the grid would refuse
    /// (<see cref="JobIds"/>) is refused here, before anything is sent.
    /// </summary>
    public Task<JobStatus> SubmitAsync(JobRequest request, string? jobId = null) =>
        cluster.GetGrain<IJobGrain>(jobId is null ? NewJobId() : JobIds.Validate(jobId)).Start(request);

    public Task<JobStatus> GetStatusAsync(string jobId) => cluster.GetGrain<IJobGrain>(jobId).GetStatus();

    /// <summary>Every failed item of a job, in index order, read a page at a time (a status carries only the first few).</summary>
    public async IAsyncEnumerable<ItemError> ErrorsAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        const int page = 1000;
        var job = cluster.GetGrain<IJobGrain>(jobId);
        for (int offset = 0; ; offset += page)
        {
            cancellation.ThrowIfCancellationRequested();
            var errors = await job.GetErrors(offset, page);
            foreach (var e in errors) yield return e;
            if (errors.Length < page) yield break;
        }
    }

    public Task<JobStatus> CancelAsync(string jobId) => cluster.GetGrain<IJobGrain>(jobId).Cancel();

    /// <summary>Every active silo's report: its stages, devices and stage replicas with their queues (see <see cref="IClusterReportGrain"/>).</summary>
    public Task<SiloReport[]> SilosAsync() => cluster.GetGrain<IClusterReportGrain>(0).Silos();

    /// <summary>The cluster's scaling signal per stage and bundle: replicas now and desired.</summary>
    public Task<StageScaling[]> ScalingAsync() => cluster.GetGrain<IClusterReportGrain>(0).Scaling();

    /// <summary>Every job id the grid's index holds, in the order submitted, read a page at a time.</summary>
    public async IAsyncEnumerable<string> ListJobsAsync([EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var index = cluster.GetGrain<IJobIndexGrain>(0);
        for (int offset = 0; ; offset += IJobIndexGrain.MaxPage)
        {
            cancellation.ThrowIfCancellationRequested();
            var page = await index.List(offset, IJobIndexGrain.MaxPage);
            foreach (var id in page) yield return id;
            if (page.Length < IJobIndexGrain.MaxPage) yield break;
        }
    }

    /// <summary>
    /// Yields the job's status every <paramref name="interval"/> (when it changed) until it finishes. Polling the job grain
    /// also re-activates it after a silo failure, so a watched job resumes even without reminders.
    /// </summary>
    public async IAsyncEnumerable<JobStatus> WatchAsync(string jobId, TimeSpan? interval = null,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        JobStatus? last = null;
        while (!cancellation.IsCancellationRequested)
        {
            JobStatus status;
            try { status = await GetStatusAsync(jobId); }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // A silo left; the job grain re-activates elsewhere on the next call.
                await Task.Delay(interval ?? TimeSpan.FromMilliseconds(500), cancellation);
                continue;
            }
            if (last is null || status.Done != last.Done || status.Failed != last.Failed || status.State != last.State
                || status.InFlight != last.InFlight)
                yield return status;
            last = status;
            if (status.IsFinished || status.State == JobState.Unknown) yield break;
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(250), cancellation);
        }
    }

    /// <summary>Waits for the job to finish and returns its final status.</summary>
    public async Task<JobStatus> WaitAsync(string jobId, CancellationToken cancellation = default)
    {
        JobStatus? last = null;
        await foreach (var s in WatchAsync(jobId, cancellation: cancellation)) last = s;
        return last ?? await GetStatusAsync(jobId);
    }

    /// <summary>Every name under <paramref name="prefix"/>, listed a page at a time.</summary>
    static async IAsyncEnumerable<string> ListAsync(IOutputReaderGrain reader, string prefix, [EnumeratorCancellation] CancellationToken cancellation)
    {
        string? after = null;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var page = await reader.List(prefix, after, IOutputReaderGrain.MaxListPage);
            foreach (var name in page) yield return name;
            if (page.Length < IOutputReaderGrain.MaxListPage) yield break;
            after = page[^1];
        }
    }

    /// <summary>
    /// Copies a job's outputs (PNGs, shards, manifest.json and its items/*.jsonl records, contact-sheet.png; not its stored inputs or plan files) into
    /// <paramref name="destination"/>, keeping their names relative to the job's output prefix. Returns the files written.
    /// </summary>
    public async Task<IReadOnlyList<string>> FetchAsync(string jobId, string destination, CancellationToken cancellation = default)
    {
        var status = await GetStatusAsync(jobId);
        if (status.State == JobState.Unknown) throw new KeyNotFoundException($"no job '{jobId}'");
        var reader = cluster.GetGrain<IOutputReaderGrain>(0);
        var prefix = status.OutputPrefix + "/";
        var written = new List<string>();
        await foreach (var name in ListAsync(reader, prefix, cancellation))
        {
            var relative = name[prefix.Length..];
            // The job's stored inputs and its partitions' plan files are the grid's, not outputs.
            if (relative.StartsWith("inputs/", StringComparison.Ordinal) || relative.StartsWith("plan/", StringComparison.Ordinal)) continue;
            var path = Path.Combine(destination, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var tmp = path + ".part";
            await using (var file = File.Create(tmp))
            {
                long offset = 0;
                while (true)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var chunk = await reader.ReadChunk(name, offset, IOutputReaderGrain.ChunkBytes);
                    if (chunk is null || chunk.Length == 0) break;
                    await file.WriteAsync(chunk, cancellation);
                    offset += chunk.Length;
                    if (chunk.Length < IOutputReaderGrain.ChunkBytes) break;
                }
            }
            File.Move(tmp, path, overwrite: true);
            written.Add(path);
        }
        return written;
    }

    /// <summary>
    /// Uploads image files and folders into the grid's store and writes an input list of them (see
    /// <see cref="InputUploader"/>); submit <c>new JobRequest(kind, bundle, InputList: result.ListName)</c>.
    /// </summary>
    public Task<UploadResult> UploadImagesAsync(IEnumerable<string> paths, IProgress<UploadProgress>? progress = null,
        CancellationToken cancellation = default) =>
        new InputUploader(cluster).UploadImagesAsync(paths, progress, cancellation);
}
