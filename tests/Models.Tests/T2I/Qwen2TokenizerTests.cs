using System.Text.Json;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.T2I;

namespace RAE.Grid.Models.Tests.T2I;

/// <summary>Qwen2's byte-level BPE tokenizer and Scale-RAE's prompt template, offline on GPT-2's served BPE data.</summary>
public sealed class Qwen2TokenizerTests
{
    static readonly string[] Texts =
    [
        "a photo of a horse and a giraffe",
        "Generate an image of: an ankle boot, size 42 (EU)!",
        "  leading and trailing spaces   ",
        "line one\nline two\n\n\ttabbed",
        "naïve café — déjà vu, 東京, 🙂🙃",
        "don't, we'll, they're; I'M shouting",
        "x=1234567890; y=3.14159",
    ];

    static string[] Gpt2Files() => [Path.Combine(Gpt2BpeFiles.Path, "vocab.json"), Path.Combine(Gpt2BpeFiles.Path, "merges.txt")];

    [Fact]
    public void Vocab_and_merges_files_encode_exactly_as_the_reference_byte_level_bpe_does()
    {
        var tokenizer = Qwen2Tokenizer.Load(Gpt2Files(), Gpt2BpeFiles.Pattern);
        foreach (var text in Texts)
        {
            Assert.Equal(Gpt2BpeFiles.Reference.EncodeToIds(text), tokenizer.Encode(text));
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        }
    }

    [Fact]
    public void Qwen2s_pattern_splits_numbers_into_single_digits_and_keeps_a_words_leading_space()
    {
        var tokenizer = Qwen2Tokenizer.Load(Gpt2Files());
        Assert.Equal(["2", "0", "2", "5"], tokenizer.Encode("2025").Select(id => tokenizer.Decode([id])));
        Assert.Equal(tokenizer.Encode(" horse"), Gpt2BpeFiles.Reference.EncodeToIds(" horse"));
        foreach (var text in Texts) Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void The_generation_template_is_the_official_qwen_2_chat_text_and_its_special_tokens_are_single_ids()
    {
        var text = ScaleRaePrompts.Generation("a photo of a horse and a giraffe");
        Assert.Equal("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nGenerate an image of a photo of a horse " +
                     "and a giraffe<|im_end|>\n<|im_start|>assistant\n", text);

        // GPT-2's files plus Qwen2-style added tokens (as tokenizer_config.json lists them).
        var dir = Directory.CreateTempSubdirectory("qwen2-tok-").FullName;
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), JsonSerializer.Serialize(new
        {
            added_tokens_decoder = new Dictionary<string, object>
            {
                ["50256"] = new { content = "<|endoftext|>", special = true },
                ["50257"] = new { content = "<|im_start|>", special = true },
                ["50258"] = new { content = "<|im_end|>", special = true },
            },
        }));
        var tokenizer = Qwen2Tokenizer.Load([.. Gpt2Files(), Path.Combine(dir, "tokenizer_config.json")]);
        var ids = tokenizer.Encode(text);
        Assert.Equal(50257, ids[0]);
        Assert.Equal(3, ids.Count(id => id == tokenizer.SpecialId(Qwen2Tokenizer.ImStart)));
        Assert.Equal(2, ids.Count(id => id == tokenizer.SpecialId(Qwen2Tokenizer.ImEnd)));
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.Equal(50259, tokenizer.VocabularySize);
        // Outside the specials, the text is plain BPE: the user turn's words encode as they do alone.
        Assert.Equal(tokenizer.Encode("user\nGenerate an image of a photo"), ids.Skip(ids.ToList().IndexOf(50257, 1) + 1).Take(tokenizer.Encode("user\nGenerate an image of a photo").Count));
    }

    [Fact]
    public void The_generation_template_gives_the_golden_cases_prompt_texts()
    {
        // The golden scale_rae_t2i case ran the official build_prompt(prompt, with_image=False, gen_image=True).
        var c = Golden.GoldenCase.At("t2i/scale_rae_t2i");
        var prompts = c["prompts"].EnumerateArray().Select(p => p.GetString()!).ToList();
        var texts = c["prompt_texts"].EnumerateArray().Select(p => p.GetString()!).ToList();
        // One prompt per row of the case's input ids.
        Assert.Equal(c.Read("io.safetensors")["in.input_ids"].shape[0], prompts.Count);
        Assert.Equal(texts, prompts.Select(p => ScaleRaePrompts.Generation(p)));
    }

    [Fact]
    public void Files_of_no_known_form_are_refused_listing_them()
    {
        var e = Assert.Throws<ArgumentException>(() => Qwen2Tokenizer.Load(["/nowhere/vocab.json"]));
        Assert.Contains("need tokenizer.json, or vocab.json and merges.txt; got vocab.json", e.Message);
        var missing = Assert.Throws<KeyNotFoundException>(() => Qwen2Tokenizer.Load(Gpt2Files()).SpecialId("<|im_start|>"));
        Assert.Contains("no special token '<|im_start|>'", missing.Message);
    }
}
