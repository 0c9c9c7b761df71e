using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Turns a submitted <see cref="JobRequest"/> into a persisted plan: validates it (every problem named), writes inline
/// input images to the store under the job's prefix, and lists the items with their deterministic output names.
/// </summary>
public static class JobPlanner
{
    /// <summary>Every problem with a request (empty when valid).</summary>
    public static IReadOnlyList<string> Validate(JobRequest r, PipelineOptions limits, long maxImageBytes)
    {
        var p = new List<string>();
        if (string.IsNullOrWhiteSpace(r.BundleId)) p.Add("bundle id is empty");
        switch (r.Kind)
        {
            case JobKind.Reconstruct or JobKind.Encode:
                if (r.Images is not { Length: > 0 }) p.Add($"a {r.Kind} job needs at least one image");
                else
                {
                    if (r.Images.Length > limits.MaxItemsPerJob) p.Add($"{r.Images.Length} images exceed MaxItemsPerJob {limits.MaxItemsPerJob}");
                    foreach (var (img, i) in r.Images.Select((x, i) => (x, i)))
                    {
                        if (img.Inline is null && string.IsNullOrWhiteSpace(img.Uri)) p.Add($"image {i} ('{img.Name}') has neither inline bytes nor a URI");
                        if (img.Inline is { } b && b.LongLength > maxImageBytes) p.Add($"image {i} ('{img.Name}') is {b.LongLength} bytes, over MaxImageBytes {maxImageBytes}");
                    }
                }
                if (r.Kind == JobKind.Encode && r.ShardSize < 1) p.Add("ShardSize must be at least 1");
                break;
            case JobKind.Generate:
                if (r.Generate is not { } g) { p.Add("a Generate job needs its generate settings"); break; }
                if (g.Classes is not { Length: > 0 }) p.Add("a Generate job needs at least one class");
                if (g.PerClass < 1) p.Add($"samples per class must be at least 1, got {g.PerClass}");
                if ((long)(g.Classes?.Length ?? 0) * g.PerClass > limits.MaxItemsPerJob)
                    p.Add($"{g.Classes!.Length} classes × {g.PerClass} exceed MaxItemsPerJob {limits.MaxItemsPerJob}");
                if (g.OutputSize is < 8 or > 4096) p.Add($"output size must be between 8 and 4096, got {g.OutputSize}");
                // Sampling settings are checked against the bundle by the diffusion stage (IDiffusionStageGrain.ResolveSampling).
                break;
        }
        if (r.OutputPrefix is { } prefix)
            try { StoreNames.Validate(prefix); } catch (ArgumentException e) { p.Add($"output prefix: {e.Message}"); }
        return p;
    }

    /// <summary>A stable fingerprint of a request (inputs included), for idempotent starts.</summary>
    public static string Fingerprint(JobRequest r)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) { h.AppendData(Encoding.UTF8.GetBytes(s)); h.AppendData([0]); }
        Add(r.Kind.ToString()); Add(r.BundleId); Add(r.OutputPrefix ?? ""); Add(r.ShardSize.ToString());
        foreach (var img in r.Images ?? []) { Add(img.Name); Add(img.Uri ?? ""); if (img.Inline is { } b) h.AppendData(b); }
        if (r.Generate is { } g)
        {
            var sp = g.Sampling ?? SamplingSpec.BundleDefaults;
            Add(string.Create(CultureInfo.InvariantCulture,
                $"{string.Join(",", g.Classes)}|{g.PerClass}|{g.Seed}|{sp.Steps}|{sp.Sampler}|{sp.Guidance}|{sp.Scale:R}|{sp.TMin:R}|{sp.TMax:R}|{g.OutputSize}"));
        }
        return Convert.ToHexString(h.GetHashAndReset());
    }

    /// <summary>
    /// Builds the state of a new job; inline images are written to the store first. A generate job keeps
    /// <paramref name="sampling"/>, its settings resolved against the bundle, as what every item samples.
    /// </summary>
    public static async Task<JobGrainState> PlanAsync(string jobId, JobRequest r, SamplingSpec? sampling, IOutputStore store, CancellationToken ct)
    {
        var prefix = (r.OutputPrefix ?? $"jobs/{jobId}").TrimEnd('/');
        var s = new JobGrainState
        {
            JobId = jobId, Kind = r.Kind, BundleId = r.BundleId, State = JobState.Running, OutputPrefix = prefix,
            Created = DateTimeOffset.UtcNow, ShardSize = r.ShardSize, RequestFingerprint = Fingerprint(r),
        };
        if (r.Kind == JobKind.Generate)
        {
            var g = r.Generate!;
            s.Generate = g with { Sampling = sampling ?? throw new ArgumentException("a Generate job is planned with its resolved sampling settings") };
            int index = 0;
            foreach (var label in g.Classes)
                for (int k = 0; k < g.PerClass; k++, index++)
                    s.Items.Add(new JobItem { Index = index, Input = $"class {label}", Label = label, Output = $"{prefix}/{index:D5}_class{label}.png" });
            return s;
        }
        var images = r.Images!;
        for (int i = 0; i < images.Length; i++)
        {
            var img = images[i];
            string source;
            if (img.Inline is { } bytes)
            {
                source = $"{prefix}/inputs/{i:D5}_{SafeName(img.Name)}";
                await store.PutAsync(source, bytes, "application/octet-stream", ct);
            }
            else source = img.Uri!;
            var output = r.Kind == JobKind.Encode
                ? ShardName(prefix, i / r.ShardSize)
                : $"{prefix}/{i:D5}_{Path.GetFileNameWithoutExtension(SafeName(img.Name))}.png";
            s.Items.Add(new JobItem { Index = i, Input = img.Name, Source = source, Output = output });
        }
        return s;
    }

    /// <summary>Store name of latent shard <paramref name="shard"/>.</summary>
    public static string ShardName(string prefix, int shard) => $"{prefix}/latents-{shard:D5}.safetensors";

    /// <summary>A store-safe version of a user's file name (keeps letters, digits, '.', '-', '_').</summary>
    public static string SafeName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        var safe = new string(file.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray()).Trim('.');
        return safe.Length == 0 ? "image" : safe.Length > 80 ? safe[..80] : safe;
    }
}
