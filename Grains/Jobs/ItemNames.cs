using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The store names a job writes, all deterministic, so a retried or resumed item overwrites its own output and nothing
/// else: outputs, latent shards, the per-partition plan files (inputs) and item records (the manifest's lines).
/// </summary>
public static class ItemNames
{
    /// <summary>Output of generated item <paramref name="index"/> of class <paramref name="label"/>.</summary>
    public static string Generated(string prefix, long index, int label) => $"{prefix}/{index:D5}_class{label}.png";

    /// <summary>Output of generated item <paramref name="index"/> of prompt <paramref name="prompt"/> (its index in the request's prompts).</summary>
    public static string Prompted(string prefix, long index, int prompt) => $"{prefix}/{index:D5}_prompt{prompt}.png";

    /// <summary>Output of reconstructed item <paramref name="index"/> whose input is called <paramref name="input"/>.</summary>
    public static string Reconstructed(string prefix, long index, string input) =>
        $"{prefix}/{index:D5}_{Path.GetFileNameWithoutExtension(SafeName(input))}.png";

    /// <summary>Store name of latent shard <paramref name="shard"/>.</summary>
    public static string Shard(string prefix, long shard) => $"{prefix}/latents-{shard:D5}.safetensors";

    /// <summary>Best-of-N with <c>keep_latents</c>: the latent of candidate <paramref name="candidate"/> of item <paramref name="item"/>.</summary>
    public static string Candidate(string prefix, long item, int candidate) => $"{prefix}/{CandidatesFolder}/{item:D5}_c{candidate:D3}.safetensors";

    /// <summary>Folder (under a job's prefix) of best-of-N candidate latents kept for analysis.</summary>
    public const string CandidatesFolder = "candidates";

    /// <summary>Where a job's inline images are stored (item <paramref name="index"/>).</summary>
    public static string InlineInput(string prefix, long index, string input) => $"{prefix}/{InputsFolder}/{index:D5}_{SafeName(input)}";

    /// <summary>Plan file of partition <paramref name="partition"/>: its inputs, one <see cref="InputList"/> line each.</summary>
    public static string PlanFile(string prefix, int partition) => $"{prefix}/{PlanFolder}/inputs-{partition:D5}.tsv";

    /// <summary>Item records of partition <paramref name="partition"/>, relative to the job's prefix (JSON Lines).</summary>
    public static string RecordsFile(int partition) => $"items/part-{partition:D5}.jsonl";

    /// <summary>Folder (under a job's prefix) of stored inline inputs; fetch skips it.</summary>
    public const string InputsFolder = "inputs";

    /// <summary>Folder (under a job's prefix) of partition plan files; fetch skips it.</summary>
    public const string PlanFolder = "plan";

    /// <summary>A store-safe version of a user's file name (keeps letters, digits, '.', '-', '_').</summary>
    public static string SafeName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        var safe = new string(file.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray()).Trim('.');
        return safe.Length == 0 ? "image" : safe.Length > 80 ? safe[..80] : safe;
    }
}
