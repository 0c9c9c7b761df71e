using Microsoft.ML.Tokenizers;

namespace RAE.Grid.Models.Encoders.Siglip;

/// <summary>
/// Text → token ids for the SigLIP-2 text tower, as HF's SigLIP-2 processor prepares them with
/// <c>padding="max_length"</c>: the text is lowercased (SigLIP-2 was trained on lowercased text), tokenized without
/// BOS, cut to leave room for one <c>eos_token_id</c>, which is appended, then right-padded with <c>pad_token_id</c> to
/// <c>max_position_embeddings</c> (the tower pools the last position, so the padding length is part of the model).
/// Two file forms: a SentencePiece <c>tokenizer.model</c> (real SigLIP-2 checkpoints ship Gemma's), or a BPE
/// <c>vocab.json</c> + <c>merges.txt</c> pair split on white space (the tiny bundle's).
/// </summary>
public sealed class SiglipTokenizer
{
    readonly Tokenizer _tokenizer;

    /// <summary>The text config whose vocabulary, length, pad and eos ids the ids are made for.</summary>
    public SiglipTextConfig Config { get; }

    SiglipTokenizer(Tokenizer tokenizer, SiglipTextConfig config) { _tokenizer = tokenizer; Config = config; }

    /// <summary>
    /// Loads the tokenizer from its files: one <c>*.model</c> (SentencePiece), or <c>vocab.json</c> and
    /// <c>merges.txt</c> (BPE, recognised by file name). <paramref name="what"/> names the files' owner in errors.
    /// </summary>
    public static SiglipTokenizer Load(IReadOnlyList<string> files, SiglipTextConfig config, string what = "tokenizer")
    {
        var model = files.Where(f => f.EndsWith(".model", StringComparison.Ordinal)).ToList();
        var vocab = files.Where(f => Path.GetFileName(f).EndsWith("vocab.json", StringComparison.Ordinal)).ToList();
        var merges = files.Where(f => Path.GetFileName(f).EndsWith("merges.txt", StringComparison.Ordinal)).ToList();
        Tokenizer tokenizer;
        if (model.Count == 1 && files.Count == 1)
        {
            using var stream = File.OpenRead(model[0]);
            tokenizer = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        else if (vocab.Count == 1 && merges.Count == 1 && files.Count == 2)
            tokenizer = BpeTokenizer.Create(vocab[0], merges[0], PreTokenizer.CreateWhiteSpace(), normalizer: null,
                specialTokens: null, unknownToken: "<unk>");
        else
            throw new ArgumentException($"{what}: expected one SentencePiece '*.model' file, or 'vocab.json' and 'merges.txt'; got [{string.Join(", ", files.Select(Path.GetFileName))}]");
        return new SiglipTokenizer(tokenizer, config);
    }

    /// <summary>The ids of <paramref name="text"/>: [max_position_embeddings], ending in eos then padding.</summary>
    public long[] Encode(string text)
    {
        var length = Config.MaxPositionEmbeddings;
        var content = _tokenizer.EncodeToIds(text.ToLowerInvariant()).Take(length - 1);
        var ids = content.Append(Config.EosTokenId).ToList();
        while (ids.Count < length) ids.Add(Config.PadTokenId);
        foreach (var id in ids)
            if (id < 0 || id >= Config.VocabSize)
                throw new ArgumentException($"tokenizer: text '{text}' gives id {id}, outside the text tower's vocab_size {Config.VocabSize}");
        return ids.Select(i => (long)i).ToArray();
    }
}
