using System.Text.Json;
using System.Text.Json.Serialization;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// A partition's item records, the manifest's lines: one JSON object per item (index, input, source, label or prompt, seed, phase,
/// output, its SHA-256 and producer — silo/device/dtype —, seconds, attempts, error; for best-of-N the item, rank,
/// candidate, score and verifier, and on an item's first output all its candidates), written when the partition finishes. Together the partitions' files list
/// every item of the job; <c>manifest.json</c> names them.
/// </summary>
public static class ItemRecords
{
    // Named float literals ("NaN", "Infinity"), so no item's values can stop its partition's records from being written.
    static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The JSON Lines of a settled partition.</summary>
    public static byte[] ToJsonLines(PartitionItems items, PartitionState s)
    {
        using var buffer = new MemoryStream();
        for (int i = 0; i < items.Plan.Count; i++)
        {
            var phase = (ItemPhase)s.Phases[i];
            var best = BestOf(items, s, i);
            var record = new
            {
                index = items.IndexOf(i), input = items.InputOf(i), source = items.SourceOf(i),
                label = Condition(items, i)?.Label,
                prompt_index = Condition(items, i) is { IsPrompt: true } ? (int?)items.ConditionIndexOf(i) : null, prompt = Condition(items, i)?.Text,
                seed = best is null ? items.Plan.Generate?.Seed : best.Seed,
                item = best?.Item, rank = best?.Rank, candidate = best?.Candidate, score = best?.Score, verifier = best?.Verifier,
                candidates = best?.Candidates,
                phase, output = phase == ItemPhase.Done ? items.OutputOf(i) : null,
                sha256 = phase == ItemPhase.Done ? s.HashOf(i) : null, producer = phase == ItemPhase.Done ? s.ProducerName(i) : null,
                seconds = Math.Round(s.Seconds[i], 4),
                attempts = (int)s.Attempts[i], error = s.Errors.GetValueOrDefault(i),
            };
            JsonSerializer.Serialize(buffer, record, Json);
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }

    /// <summary>A best-of-N output's selection: which candidate it holds, and (on an item's first output) every candidate.</summary>
    sealed record Selected(long Item, int Rank, int? Candidate, long? Seed, double? Score, string? Verifier, object[]? Candidates);

    /// <summary>A generate item's condition; null for an image item.</summary>
    static ItemCondition? Condition(PartitionItems items, int local) => items.Plan.Generate is null ? null : items.ConditionOf(local);

    static Selected? BestOf(PartitionItems items, PartitionState s, int local)
    {
        if (items.Plan.Generate is not { BestOf: { } bestOf } g) return null;
        var item = items.ItemOf(local);
        var rank = items.RankOf(local);
        // An item whose candidates could not all be scored has no selection: its outputs failed, naming why.
        if (!s.Selections.TryGetValue(item, out var selection)) return new Selected(item, rank, null, null, null, null, null);
        var winners = Models.Verifiers.BestOfN.Select(selection.Scores, bestOf.Keep);
        var c = winners[rank];
        var seeds = Enumerable.Range(0, bestOf.N).Select(k => Models.Verifiers.CandidateSeeds.Of(g.Seed, item, k)).ToArray();
        // Every candidate once per item, on its best output's line: seed, score, and the rank it was kept at (null: not kept).
        var all = rank != 0 ? null : Enumerable.Range(0, bestOf.N).Select(k => (object)new
        {
            candidate = k, seed = seeds[k], score = selection.Scores[k], kept = Array.IndexOf(winners, k) is >= 0 and var r ? r : (int?)null,
        }).ToArray();
        return new Selected(item, rank, c, seeds[c], selection.Scores[c], selection.Verifier, all);
    }

    /// <summary>The outputs (or, for encode jobs, the inputs) of done items in one records file, in item order.</summary>
    public static IEnumerable<string> DoneImages(byte[] jsonLines, JobKind kind)
    {
        foreach (var line in System.Text.Encoding.UTF8.GetString(jsonLines).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.GetProperty("phase").GetString() != nameof(ItemPhase.Done)) continue;
            var name = kind == JobKind.Encode ? (r.TryGetProperty("source", out var s) ? s.GetString() : null) : r.GetProperty("output").GetString();
            if (name is not null) yield return name;
        }
    }
}
