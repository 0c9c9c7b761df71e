using System.Text.Json;
using System.Text.Json.Serialization;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>The files a job writes when it finishes: a JSON manifest of every item and one contact-sheet PNG.</summary>
public static class JobOutputs
{
    /// <summary>Most thumbnails on a contact sheet (a named limit: a 10,000-item job still gets one readable sheet).</summary>
    public const int MaxContactSheetItems = 64;
    /// <summary>Side of each thumbnail on the sheet (pixels).</summary>
    public const int ThumbnailSide = 128;

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// The manifest: job settings and every item (input, seed/label, output name, seconds, attempts, error), with the
    /// job's final <paramref name="state"/> and <paramref name="finished"/> time (written before the grain publishes them).
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
                }
                : new
                {
                    seed = (long?)null, steps = (int?)null, sampler = (string?)null, guidance = (string?)null, scale = (double?)null,
                    t_min = (double?)null, t_max = (double?)null, output_size = (int?)null,
                    shard_size = s.Kind == JobKind.Encode ? (int?)s.ShardSize : null,
                },
            counts = new
            {
                total = s.Items.Count, done = s.Items.Count(i => i.Phase == ItemPhase.Done),
                failed = s.Items.Count(i => i.Phase == ItemPhase.Failed), cancelled = s.Items.Count(i => i.Phase == ItemPhase.Cancelled),
            },
            items = s.Items.Select(i => new
            {
                index = i.Index, input = i.Input, source = i.Source,
                label = s.Kind == JobKind.Generate ? (int?)i.Label : null,
                seed = s.Generate?.Seed,
                phase = i.Phase, output = i.Phase == ItemPhase.Done ? i.Output : null, seconds = Math.Round(i.Seconds, 4),
                attempts = i.Attempts, error = i.Error,
            }),
        };
        return JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
    }

    /// <summary>
    /// A contact sheet of up to <see cref="MaxContactSheetItems"/> images (the outputs, or the inputs of an encode job),
    /// as thumbnails on a grid; null when no image could be read.
    /// </summary>
    public static async Task<byte[]?> ContactSheetAsync(JobGrainState s, IOutputStore store, CancellationToken ct)
    {
        var names = s.Items.Where(i => i.Phase == ItemPhase.Done)
            .Select(i => s.Kind == JobKind.Encode ? i.Source : i.Output).Where(n => n is not null)
            .Take(MaxContactSheetItems).ToList();
        var encoded = new List<(string Name, byte[] Bytes)>();
        foreach (var n in names)
            if (await store.GetAsync(n!, ct) is { } b) encoded.Add((n!, b));
        if (encoded.Count == 0) return null;
        return await Task.Run(() => Models.Imaging.ContactSheet.Png(encoded, ThumbnailSide), ct);
    }
}
