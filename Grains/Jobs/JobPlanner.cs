using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Turns a submitted <see cref="JobRequest"/> into a persisted plan: validates it (every problem named), splits its
/// items into partitions and, for image jobs, streams the inputs — inline images, a stored input list or every image
/// under a store prefix — into one plan file per partition, holding at most one partition's lines at a time.
/// </summary>
public static class JobPlanner
{
    /// <summary>Every problem with a request that can be seen without reading its inputs (empty when valid).</summary>
    public static IReadOnlyList<string> Validate(JobRequest r, PipelineOptions limits, long maxImageBytes)
    {
        var p = new List<string>();
        if (string.IsNullOrWhiteSpace(r.BundleId)) p.Add("bundle id is empty");
        if (Math.Abs(r.Priority) > JobRequest.MaxPriority) p.Add($"priority: {r.Priority} is outside -{JobRequest.MaxPriority}..{JobRequest.MaxPriority}");
        switch (r.Kind)
        {
            case JobKind.Reconstruct or JobKind.Encode:
                var sources = (r.Images is { Length: > 0 } ? 1 : 0) + (r.InputList is not null ? 1 : 0) + (r.InputPrefix is not null ? 1 : 0);
                if (sources != 1) p.Add($"a {r.Kind} job needs its images from exactly one of: images, an input list, a store prefix (got {sources})");
                if (r.Images is { Length: > 0 } images)
                {
                    if (images.Length > limits.MaxItemsPerJob) p.Add($"{images.Length} images exceed MaxItemsPerJob {limits.MaxItemsPerJob}");
                    foreach (var (img, i) in images.Select((x, i) => (x, i)))
                    {
                        if (img.Inline is null && string.IsNullOrWhiteSpace(img.Uri)) p.Add($"image {i} ('{img.Name}') has neither inline bytes nor a URI");
                        if (img.Inline is { } b && b.LongLength > maxImageBytes) p.Add($"image {i} ('{img.Name}') is {b.LongLength} bytes, over MaxImageBytes {maxImageBytes}");
                    }
                }
                if (r.InputList is { } list && Problem(() => StoreNames.Validate(list)) is { } badList) p.Add($"input list: {badList}");
                if (r.InputPrefix is { } prefix && Problem(() => StoreNames.ValidatePrefix(prefix)) is { } bad) p.Add($"input prefix: {bad}");
                if (r.Kind == JobKind.Encode && r.ShardSize < 1) p.Add($"shard_size: must be at least 1, got {r.ShardSize}");
                break;
            case JobKind.Generate:
                if (r.Generate is not { } g) { p.Add("a Generate job needs its generate settings"); break; }
                p.AddRange(g.ConditionProblems());
                if (g.PerClass < 1) p.Add($"per_class: must be at least 1, got {g.PerClass}");
                var what = g.IsPrompted() ? "prompts" : "classes";
                if (g.Outputs() > limits.MaxItemsPerJob)
                    p.Add(g.BestOf is null ? $"{g.Conditions()} {what} × {g.PerClass} exceed MaxItemsPerJob {limits.MaxItemsPerJob}"
                        : $"{g.Conditions()} {what} × {g.PerClass} × keep {g.BestOf.Keep} outputs exceed MaxItemsPerJob {limits.MaxItemsPerJob}");
                // Output size, class-count and per-class bounds are RequestLimits' (Grid:Limits). Sampling settings are
                // SamplingRules', resolved against the bundle by the diffusion stage (IDiffusionStageGrain.ResolveSampling).
                break;
        }
        if (r.OutputPrefix is { } output && Problem(() => StoreNames.Validate(output)) is { } outputProblem) p.Add($"output prefix: {outputProblem}");
        return p;
    }

    static string? Problem(Action check)
    {
        try { check(); return null; }
        catch (ArgumentException e) { return e.Message; }
    }

    /// <summary>A stable fingerprint of a request (inputs included), for idempotent starts.</summary>
    public static string Fingerprint(JobRequest r)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) { h.AppendData(Encoding.UTF8.GetBytes(s)); h.AppendData([0]); }
        Add(r.Kind.ToString()); Add(r.BundleId); Add(r.OutputPrefix ?? ""); Add(r.ShardSize.ToString());
        Add(r.InputList ?? ""); Add(r.InputPrefix ?? "");
        if (r.Priority != 0) Add($"priority {r.Priority}"); // only when set: fingerprints of earlier requests stay the same
        foreach (var img in r.Images ?? []) { Add(img.Name); Add(img.Uri ?? ""); if (img.Inline is { } b) h.AppendData(b); }
        if (r.Generate is { } g)
        {
            var sp = g.Sampling ?? SamplingSpec.BundleDefaults;
            Add(string.Create(CultureInfo.InvariantCulture,
                $"{string.Join(",", g.Classes)}|{g.PerClass}|{g.Seed}|{sp.Steps}|{sp.Sampler}|{sp.Guidance}|{sp.Scale:R}|{sp.TMin:R}|{sp.TMax:R}|{g.OutputSize}"));
            if (g.BestOf is { } b) Add($"best-of {b.N}|{b.Keep}|{b.Verifier}|{b.KeepLatents}");
            foreach (var prompt in g.Prompts ?? []) Add("prompt " + prompt);
        }
        return Convert.ToHexString(h.GetHashAndReset());
    }

    /// <summary>Where a job's outputs go: the request's prefix, or <c>jobs/&lt;job id&gt;</c>; never with a trailing '/'.</summary>
    public static string OutputPrefixOf(string jobId, JobRequest r) => (r.OutputPrefix ?? $"jobs/{jobId}").TrimEnd('/');

    /// <summary>
    /// Builds the state of a new job and writes its partitions' plan files. A generate job keeps
    /// <paramref name="sampling"/>, its settings resolved against the bundle, as what every item samples. Throws an
    /// <see cref="ArgumentException"/> naming the problem when the inputs cannot be read or exceed the limits.
    /// </summary>
    public static async Task<JobGrainState> PlanAsync(string jobId, JobRequest r, SamplingSpec? sampling, PipelineOptions limits,
        IOutputStore store, CancellationToken ct)
    {
        var prefix = OutputPrefixOf(jobId, r);
        var s = new JobGrainState
        {
            JobId = jobId, Kind = r.Kind, BundleId = r.BundleId, State = JobState.Running, OutputPrefix = prefix,
            Created = DateTimeOffset.UtcNow, ShardSize = r.ShardSize, RequestFingerprint = Fingerprint(r), Priority = r.Priority,
            // An encode job's shards never straddle partitions: its partitions hold whole shards.
            PartitionSize = r.Kind == JobKind.Encode ? Math.Max(1, limits.PartitionSize / r.ShardSize) * r.ShardSize : limits.PartitionSize,
        };
        if (r.Kind == JobKind.Generate)
        {
            var g = r.Generate!;
            s.Generate = g with { Sampling = sampling ?? throw new ArgumentException("a Generate job is planned with its resolved sampling settings") };
            s.Total = (int)g.Outputs();
            // A best-of-N item's kept outputs never straddle partitions: one partition selects its winners.
            if (g.OutputsPerItem() > 1) s.PartitionSize = Math.Max(1, limits.PartitionSize / g.OutputsPerItem()) * g.OutputsPerItem();
        }
        else
        {
            var lines = new StringBuilder();
            int count = 0, partition = 0;
            await foreach (var (name, source) in InputsAsync(r, prefix, store, ct))
            {
                if (count >= limits.MaxItemsPerJob) throw new ArgumentException($"the job's inputs exceed MaxItemsPerJob {limits.MaxItemsPerJob}");
                lines.Append(InputList.Line(name, source)).Append('\n');
                if (++count % s.PartitionSize == 0) await FlushAsync();
            }
            if (lines.Length > 0) await FlushAsync();
            if (count == 0) throw new ArgumentException(r.InputPrefix is { } p ? $"no image under store prefix '{p}'" : $"input list '{r.InputList}' lists no image");
            s.Total = count;

            async Task FlushAsync()
            {
                await store.PutAsync(ItemNames.PlanFile(prefix, partition++), Encoding.UTF8.GetBytes(lines.ToString()), InputList.ContentType, ct);
                lines.Clear();
            }
        }
        s.Partitions = (int)((s.Total + (long)s.PartitionSize - 1) / s.PartitionSize);
        return s;
    }

    /// <summary>The job's images as (name, store name), in item order; inline images are stored under the job's prefix first.</summary>
    static async IAsyncEnumerable<(string Name, string Source)> InputsAsync(JobRequest r, string prefix, IOutputStore store,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (r.Images is { Length: > 0 } images)
        {
            for (int i = 0; i < images.Length; i++)
            {
                var img = images[i];
                if (img.Inline is { } bytes)
                {
                    var source = ItemNames.InlineInput(prefix, i, img.Name);
                    await store.PutAsync(source, bytes, "application/octet-stream", ct);
                    yield return (img.Name, source);
                }
                else yield return (img.Name, img.Uri!);
            }
        }
        else if (r.InputList is { } list)
        {
            await using var stream = await store.OpenReadAsync(list, ct) ?? throw new ArgumentException($"input list '{list}' is not in the store");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            long number = 0;
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                number++;
                if (line.Length == 0) continue;
                yield return InputList.Parse(line, list, number);
            }
        }
        else
        {
            await foreach (var name in store.ListAsync(r.InputPrefix!, ct))
                if (ImageFiles.IsImage(name)) yield return (name, name);
        }
    }
}
