using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.T2I;

namespace RAE.Grid.Models.Bundles.Writers;

/// <summary>
/// Writes a byte-level BPE tokenizer in Qwen2's file format (<c>vocab.json</c>, <c>merges.txt</c>,
/// <c>tokenizer_config.json</c>) whose merges make every pre-tokenized piece of the given texts one token: the 256 byte
/// symbols (GPT-2's byte-to-unicode map), then the merges each piece needs, then the Qwen2 specials and the image
/// tokens. Any other text still encodes, byte by byte where no merge applies.
/// </summary>
public static class ByteLevelBpeWriter
{
    /// <summary>The special tokens after the vocabulary, in Qwen2's order, then the image start/end tokens.</summary>
    public static readonly string[] Specials =
        [Qwen2Tokenizer.EndOfText, Qwen2Tokenizer.ImStart, Qwen2Tokenizer.ImEnd, ScaleRaePrompts.ImageStart, ScaleRaePrompts.ImageEnd];

    /// <summary>File names written, in the order a bundle's <c>t2i.tokenizer</c> lists them.</summary>
    public static readonly string[] Files = ["vocab.json", "merges.txt", "tokenizer_config.json"];

    /// <summary>
    /// Writes the three files into <paramref name="folder"/>; returns the vocabulary size (specials included) and the
    /// special tokens' ids. Deterministic in the order of <paramref name="texts"/>.
    /// </summary>
    public static (int VocabSize, IReadOnlyDictionary<string, int> SpecialIds) Write(string folder, IEnumerable<string> texts)
    {
        Directory.CreateDirectory(folder);
        var (vocab, merges) = Vocabulary(texts);
        var specialIds = Specials.Select((s, i) => (s, Id: vocab.Count + i)).ToDictionary(x => x.s, x => x.Id);
        var vocabJson = new JsonObject();
        foreach (var (token, id) in vocab.OrderBy(kv => kv.Value)) vocabJson[token] = id;
        WriteJson(Path.Combine(folder, "vocab.json"), vocabJson);
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\n" + string.Concat(merges.Select(m => m + "\n")));
        var added = new JsonObject();
        foreach (var s in Specials)
            added[specialIds[s].ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = s, ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false, ["special"] = true,
            };
        WriteJson(Path.Combine(folder, "tokenizer_config.json"), new JsonObject
        {
            ["tokenizer_class"] = "Qwen2Tokenizer", ["added_tokens_decoder"] = added, ["eos_token"] = Qwen2Tokenizer.ImEnd,
            ["pad_token"] = Qwen2Tokenizer.EndOfText, ["bos_token"] = null, ["model_max_length"] = 512, ["padding_side"] = "right",
        });
        return (vocab.Count + Specials.Length, specialIds);
    }

    /// <summary>
    /// For every pre-tokenized piece of the texts, merges appended until BPE turns the piece into one token. A merge
    /// added last has the lowest priority, so it only applies once no earlier merge does: earlier pieces keep their token.
    /// </summary>
    static (Dictionary<string, int> Vocab, List<string> Merges) Vocabulary(IEnumerable<string> texts)
    {
        var unicode = ByteToUnicode();
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var b = 0; b < 256; b++) vocab[unicode[b].ToString()] = b;
        var merges = new List<string>();
        var ranks = new Dictionary<(string, string), int>();
        var split = new Regex(Qwen2Tokenizer.Pattern);
        foreach (var piece in texts.SelectMany(t => split.Matches(t).Select(m => m.Value)))
        {
            var symbols = Encoding.UTF8.GetBytes(piece).Select(b => unicode[b].ToString()).ToList();
            while (Bpe(symbols, ranks) is { Count: > 1 } parts)
            {
                ranks[(parts[0], parts[1])] = merges.Count;
                merges.Add($"{parts[0]} {parts[1]}");
                vocab.TryAdd(parts[0] + parts[1], vocab.Count);
            }
        }
        return (vocab, merges);
    }

    /// <summary>Plain BPE: repeatedly merge the adjacent pair of lowest rank.</summary>
    static List<string> Bpe(List<string> symbols, Dictionary<(string, string), int> ranks)
    {
        var s = symbols.ToList();
        while (true)
        {
            var (best, bestRank) = (-1, int.MaxValue);
            for (var i = 0; i + 1 < s.Count; i++)
                if (ranks.TryGetValue((s[i], s[i + 1]), out var r) && r < bestRank) (best, bestRank) = (i, r);
            if (best < 0) return s;
            s[best] += s[best + 1];
            s.RemoveAt(best + 1);
        }
    }

    /// <summary>GPT-2's (and Qwen2's) reversible map from bytes to printable characters.</summary>
    static char[] ByteToUnicode()
    {
        var map = new char[256];
        var n = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + n++);
        }
        return map;
    }

    static void WriteJson(string path, JsonObject o) =>
        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
