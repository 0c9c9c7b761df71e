using RAE.Grid.Models.Checkpoints.Torch;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// Format-agnostic checkpoint entry point: the format is picked by the file's content, not its extension, so a
/// model bundle can name either a safetensors file or the authors' <c>.pt</c> file.
/// </summary>
public static class Checkpoint
{
    /// <summary>Detects the format from the first bytes of the file.</summary>
    public static CheckpointFormat DetectFormat(string path)
    {
        Span<byte> head = stackalloc byte[9];
        int n;
        using (var fs = File.OpenRead(path)) n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        // safetensors: u64 header length then '{'. A zip local header never has '{' at byte 8 (compression method).
        if (n == 9 && head[8] == '{') return CheckpointFormat.SafeTensors;
        if (n >= 2 && head[0] == 'P' && head[1] == 'K') return CheckpointFormat.TorchZip;
        // Pickle protocol marker: the legacy torch format, which the torch reader rejects with a clear message.
        if (n >= 2 && head[0] == 0x80 && head[1] <= 5) return CheckpointFormat.TorchZip;
        throw new InvalidDataException($"{path}: neither a safetensors file nor a torch.save checkpoint " +
            $"({(n < 9 ? $"only {n} bytes" : "unrecognised first bytes")})");
    }

    /// <summary>
    /// Reads a flat state dict from either format: wrappers unwrapped ("ema" preferred over "model", .pt only),
    /// nested keys joined with ".", <c>module.</c> / <c>_orig_mod.</c> prefixes stripped, None values skipped.
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path) => DetectFormat(path) switch
    {
        CheckpointFormat.TorchZip => TorchCheckpointFile.ReadStateDict(path),
        _ => ReadSafeTensorsStateDict(path),
    };

    private static Dictionary<string, Tensor> ReadSafeTensorsStateDict(string path)
    {
        using var f = SafeTensorsFile.Open(path);
        return StateDictKeys.WithStrippedPrefixes(f.Keys.Select(k => (k, f.Load(k))), path);
    }
}
