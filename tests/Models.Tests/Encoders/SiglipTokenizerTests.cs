using System.Text;
using RAE.Grid.Models.Encoders.Siglip;

namespace RAE.Grid.Models.Tests.Encoders;

/// <summary>
/// The SentencePiece form of the SigLIP-2 tokenizer (real checkpoints ship Gemma's <c>tokenizer.model</c>), on a tiny
/// BPE model written here field by field in SentencePiece's <c>ModelProto</c> format, with Gemma's id layout
/// (pad 0, eos 1, bos 2, unk 3).
/// </summary>
public class SiglipTokenizerTests
{
    // ModelProto / SentencePiece / TrainerSpec / NormalizerSpec field numbers and enums of sentencepiece_model.proto.
    const int Normal = 1, Unknown = 2, Control = 3, Bpe = 2;

    static byte[] Varint(ulong v)
    {
        var b = new List<byte>();
        do { var x = (byte)(v & 0x7F); v >>= 7; b.Add(v != 0 ? (byte)(x | 0x80) : x); } while (v != 0);
        return b.ToArray();
    }

    static byte[] Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));
    static byte[] Int(int field, long v) => [.. Tag(field, 0), .. Varint((ulong)v)];
    static byte[] Bytes(int field, byte[] v) => [.. Tag(field, 2), .. Varint((ulong)v.Length), .. v];
    static byte[] Float(int field, float v) => [.. Tag(field, 5), .. BitConverter.GetBytes(v)];

    static byte[] Piece(string piece, float score, int type) =>
        Bytes(1, [.. Bytes(1, Encoding.UTF8.GetBytes(piece)), .. Float(2, score), .. Int(3, type)]);

    /// <summary>Pieces: the specials, "▁", the letters and ".", then merged pieces (higher score merges first).</summary>
    static readonly string[] Merged = ["▁c", "▁ca", "▁cat", "▁a", "▁d", "▁do", "▁dog"];

    static string WriteModel()
    {
        var pieces = new List<byte>();
        pieces.AddRange(Piece("<pad>", 0, Control));
        pieces.AddRange(Piece("<eos>", 0, Control));
        pieces.AddRange(Piece("<bos>", 0, Control));
        pieces.AddRange(Piece("<unk>", 0, Unknown));
        var rank = 0;
        foreach (var m in Merged) pieces.AddRange(Piece(m, -(rank++), Normal));
        foreach (var c in "▁abcdefghijklmnopqrstuvwxyz.") pieces.AddRange(Piece(c.ToString(), -(rank++), Normal));
        var vocabSize = 4 + Merged.Length + 28;
        byte[] trainer = [.. Int(3, Bpe), .. Int(4, vocabSize), .. Int(40, 3), .. Int(41, 2), .. Int(42, 1), .. Int(43, 0)];
        byte[] normalizer = [.. Bytes(1, Encoding.UTF8.GetBytes("identity")), .. Int(3, 1), .. Int(4, 1), .. Int(5, 1)];
        var path = Path.Combine(Directory.CreateTempSubdirectory("rae-spm").FullName, "tokenizer.model");
        File.WriteAllBytes(path, [.. pieces, .. Bytes(2, trainer), .. Bytes(3, normalizer)]);
        return path;
    }

    static readonly SiglipTextConfig Config = new(VocabSize: 4 + 7 + 28, MaxPositionEmbeddings: 6, PadTokenId: 0, EosTokenId: 1);

    [Fact]
    public void A_sentencepiece_model_gives_lowercased_pieces_without_bos_then_eos_then_padding()
    {
        var tokenizer = SiglipTokenizer.Load([WriteModel()], Config);
        // "A Cat" → "a cat" → "▁a" "▁cat" (ids 7 and 6), eos, padding to 6 positions.
        Assert.Equal([7L, 6L, 1L, 0L, 0L, 0L], tokenizer.Encode("A Cat"));
        Assert.Equal([10L, 1L, 0L, 0L, 0L, 0L], tokenizer.Encode("dog"));
    }

    [Fact]
    public void A_long_text_is_cut_so_that_eos_still_ends_it()
    {
        var tokenizer = SiglipTokenizer.Load([WriteModel()], Config);
        Assert.Equal([6L, 10L, 6L, 10L, 6L, 1L], tokenizer.Encode("cat dog cat dog cat dog cat"));
    }

    [Fact]
    public void Ids_outside_the_text_tower_vocabulary_are_refused_naming_the_text()
    {
        var tokenizer = SiglipTokenizer.Load([WriteModel()], Config with { VocabSize = 8 });
        var e = Assert.Throws<ArgumentException>(() => tokenizer.Encode("dog"));
        Assert.Contains("'dog'", e.Message);
        Assert.Contains("vocab_size 8", e.Message);
    }

    [Fact]
    public void Files_of_no_known_tokenizer_form_are_refused_listing_them()
    {
        var e = Assert.Throws<ArgumentException>(() => SiglipTokenizer.Load(["a/vocab.json"], Config, "verifiers 'x'.tokenizer"));
        Assert.Contains("verifiers 'x'.tokenizer", e.Message);
        Assert.Contains("vocab.json", e.Message);
    }
}
