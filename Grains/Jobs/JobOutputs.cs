using System.Text.Json;
using System.Text.Json.Serialization;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The files a job writes when it finishes: the summary <c>manifest.json</c> (settings, counts, and the names of the
/// partitions' item records, which list every item), and the images its contact sheet shows.
/// </summary>
public static class JobOutputs
{
    /// <summary>Most thumbnails on a contact sheet (a named limit: a 10,000-item job still gets one readable sheet).</summary>
    public const int MaxContactSheetItems = 64;
    /// <summary>Side of each thumbnail on the sheet (pixels).</summary>
    public const int ThumbnailSide = 128;

    // Named float literals ("NaN", "Infinity"): whatever an item's values, the manifest can be written and the job can finish.
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// The manifest: job settings and counts with the job's final <paramref name="state"/> and <paramref name="finished"/>
    /// time (written before the grain publishes them), and <c>item_files</c>, the item records of every partition
    /// (JSON Lines, relative to the output prefix) — together one line per item.
    /// </summary>
    public static byte[] Manifest(JobGrainState s, JobState state, DateTimeOffset? finished)
    {
        var manifest = new
        {
            job = s.JobId, kind = s.Kind, bundle = s.BundleId, state, random_weights = s.RandomWeights,
            created = s.Created, finished, output_prefix = s.OutputPrefix,
            settings = s.Generate is { } g
                ? new
                {
                    seed = (long?)g.Seed, steps = g.Sampling?.Steps, sampler = g.Sampling?.Sampler, guidance = g.Sampling?.Guidance,
                    scale = g.Sampling?.Scale, t_min = g.Sampling?.TMin, t_max = g.Sampling?.TMax, output_size = g.OutputSize, shard_size = (int?)null,
                    prompts = g.Prompts?.Length, per_item = (int?)g.PerClass,
                }
                : new
                {
                    seed = (long?)null, steps = (int?)null, sampler = (string?)null, guidance = (string?)null, scale = (double?)null,
                    t_min = (double?)null, t_max = (double?)null, output_size = (int?)null,
                    shard_size = s.Kind == JobKind.Encode ? (int?)s.ShardSize : null, prompts = (int?)null, per_item = (int?)null,
                },
            counts = new { total = s.Total, done = s.FinishedDone, failed = s.FinishedFailed, cancelled = s.FinishedCancelled, redone_after_audit = s.FinishedRedone },
            priority = s.Priority,
            best_of = JobTally.BestOf(s, s.FinishedDone, s.FinishedSampled, s.FinishedVerifierCalls, s.FinishedResampled) is { } b
                ? new
                {
                    n = b.N, keep = b.Keep, verifier = b.Verifier, items = b.Items, keep_latents = s.Generate!.BestOf!.KeepLatents,
                    candidates_sampled = b.CandidatesSampled, verifier_calls = b.VerifierCalls, resampled = b.Resampled,
                    diffusion_steps = b.DiffusionSteps, decodes = b.Decodes, plain_decodes = b.PlainDecodes(), decodes_saved = b.DecodesSaved(),
                }
                : null,
            partitions = s.Partitions, partition_size = s.PartitionSize,
            item_files = Enumerable.Range(0, s.Partitions).Select(ItemNames.RecordsFile),
        };
        return JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
    }

    /// <summary>
    /// The images of the job's contact sheet, up to <see cref="MaxContactSheetItems"/> store names: the first done outputs,
    /// or the inputs of an encode job, read from the partitions' item records in order. A decoder stage makes the sheet
    /// from them (<see cref="Contracts.IDecoderStageGrain.WriteContactSheet"/>): the job moves names, never pixels.
    /// </summary>
    public static async Task<string[]> ContactSheetImagesAsync(JobGrainState s, IOutputStore store, CancellationToken ct)
    {
        var names = new List<string>();
        for (int p = 0; p < s.Partitions && names.Count < MaxContactSheetItems; p++)
            if (await store.GetAsync($"{s.OutputPrefix}/{ItemNames.RecordsFile(p)}", ct) is { } records)
                names.AddRange(ItemRecords.DoneImages(records, s.Kind).Take(MaxContactSheetItems - names.Count));
        return names.ToArray();
    }
}
