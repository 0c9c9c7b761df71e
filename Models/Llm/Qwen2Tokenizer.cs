using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace RAE.Grid.Models.Llm;

/// <summary>
/// Qwen2's tokenizer: byte-level BPE over Qwen2's own files, through Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>
/// with Qwen2's pre-tokenizer pattern and its special tokens (<c>&lt;|endoftext|&gt;</c>, <c>&lt;|im_start|&gt;</c>,
/// <c>&lt;|im_end|&gt;</c>, and any others the files add), which are matched whole before BPE runs. Reads either a
/// fast-tokenizer <c>tokenizer.json</c> (its <c>model.vocab</c>, <c>model.merges</c> and <c>added_tokens</c>) or
/// <c>vocab.json</c> + <c>merges.txt</c> with the added tokens of <c>tokenizer_config.json</c> (<c>added_tokens_decoder</c>).
/// Like Qwen2's, it adds no BOS or EOS: the prompt templates (<see cref="T2I.ScaleRaePrompts"/>) place every special token.
/// </summary>
public sealed class Qwen2Tokenizer
{
    /// <summary>
    /// Qwen2's pre-tokenizer split (its <c>tokenizer.json</c> <c>pre_tokenizer</c>): contractions, letters with at most one
    /// leading non-letter, <b>single digits</b>, punctuation runs, newlines, and whitespace.
    /// </summary>
    public const string Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Qwen2's end-of-text token (also its padding token).</summary>
    public const string EndOfText = "<|endoftext|>";
    /// <summary>Start of a chat turn.</summary>
    public const string ImStart = "<|im_start|>";
    /// <summary>End of a chat turn (the chat model's EOS).</summary>
    public const string ImEnd = "<|im_end|>";

    private readonly BpeTokenizer _bpe;

    private Qwen2Tokenizer(BpeTokenizer bpe, IReadOnlyDictionary<string, int> special, int vocabularySize)
    {
        _bpe = bpe; SpecialTokens = special; VocabularySize = vocabularySize;
    }

    /// <summary>Special tokens matched whole (content → id).</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>Largest id + 1 over the vocabulary and the special tokens.</summary>
    public int VocabularySize { get; }

    /// <summary>The id of a special token; an error naming it when the files do not define it.</summary>
    public int SpecialId(string token) => SpecialTokens.TryGetValue(token, out var id) ? id
        : throw new KeyNotFoundException($"the tokenizer defines no special token '{token}' (it has {string.Join(", ", SpecialTokens.Keys)})");

    /// <summary>Token ids of <paramref name="text"/> (special tokens in it are matched whole; nothing is added).</summary>
    public IReadOnlyList<int> Encode(string text) => _bpe.EncodeToIds(text);

    /// <summary>The text of <paramref name="ids"/>, special tokens included.</summary>
    public string Decode(IEnumerable<int> ids) => _bpe.Decode(ids, considerSpecialTokens: true) ?? "";

    /// <summary>
    /// Loads the tokenizer from <paramref name="files"/>: a <c>tokenizer.json</c>, or <c>vocab.json</c> and <c>merges.txt</c>
    /// (and <c>tokenizer_config.json</c> for the added tokens, if present). <paramref name="pattern"/> is the pre-tokenizer
    /// split (Qwen2's by default).
    /// </summary>
    public static Qwen2Tokenizer Load(IReadOnlyList<string> files, string pattern = Pattern)
    {
        string? Named(string name) => files.FirstOrDefault(f => Path.GetFileName(f).Equals(name, StringComparison.OrdinalIgnoreCase));
        Dictionary<string, int> vocab;
        List<string> merges;
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        if (Named("tokenizer.json") is { } json)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
            var model = doc.RootElement.GetProperty("model");
            if (model.TryGetProperty("type", out var type) && type.GetString() is { } t && t != "BPE")
                throw new ArgumentException($"{json}: model.type is '{t}', a Qwen2 tokenizer is 'BPE'");
            vocab = model.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
            // Merges are "a b" strings in older files and ["a", "b"] pairs in newer ones.
            merges = model.GetProperty("merges").EnumerateArray()
                .Select(m => m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!).ToList();
            if (doc.RootElement.TryGetProperty("added_tokens", out var added))
                foreach (var a in added.EnumerateArray()) special[a.GetProperty("content").GetString()!] = a.GetProperty("id").GetInt32();
        }
        else if (Named("vocab.json") is { } vocabFile && Named("merges.txt") is { } mergesFile)
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(vocabFile))
                    ?? throw new ArgumentException($"{vocabFile}: empty vocabulary");
            // merges.txt: one "a b" pair a line; a first line starting with "#version" is a header.
            merges = File.ReadAllLines(mergesFile).Where((l, i) => l.Length > 0 && !(i == 0 && l.StartsWith("#version", StringComparison.Ordinal))).ToList();
            if (Named("tokenizer_config.json") is { } config)
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(config));
                if (doc.RootElement.TryGetProperty("added_tokens_decoder", out var decoder))
                    foreach (var p in decoder.EnumerateObject()) special[p.Value.GetProperty("content").GetString()!] = int.Parse(p.Name);
            }
        }
        else throw new ArgumentException($"tokenizer: need tokenizer.json, or vocab.json and merges.txt; got {string.Join(", ", files.Select(Path.GetFileName))}");

        // Specials the vocabulary itself holds (small vocabularies put them there) count too.
        foreach (var s in new[] { EndOfText, ImStart, ImEnd })
            if (!special.ContainsKey(s) && vocab.TryGetValue(s, out var id)) special[s] = id;
        foreach (var (token, id) in special)
            if (vocab.TryGetValue(token, out var other) && other != id)
                throw new ArgumentException($"tokenizer: special token '{token}' is id {id} in the added tokens but {other} in the vocabulary");
        var ordinary = vocab.Where(kv => !special.ContainsKey(kv.Key));
        var options = new BpeOptions(ordinary.Concat(special.Select(kv => new KeyValuePair<string, int>(kv.Key, kv.Value))))
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = special,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), special),
        };
        var size = Math.Max(vocab.Values.DefaultIfEmpty(-1).Max(), special.Values.DefaultIfEmpty(-1).Max()) + 1;
        return new Qwen2Tokenizer(BpeTokenizer.Create(options), special, size);
    }
}
