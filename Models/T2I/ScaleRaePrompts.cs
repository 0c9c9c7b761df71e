using RAE.Grid.Models.Llm;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// The official Scale-RAE prompt texts (Qwen2 chat template <c>qwen_2</c>; <c>inference/scaling_experiment.py</c>
/// <c>build_prompt</c>): generation is asked as a user turn and the assistant's turn is opened, after which the model emits
/// <c>&lt;im_start&gt;</c> and the latent queries follow.
/// </summary>
public static class ScaleRaePrompts
{
    /// <summary>The system message of the <c>qwen_2</c> template.</summary>
    public const string System = "You are a helpful assistant.";

    /// <summary>What <c>scaling_experiment.py</c> prefixes a generation prompt with (<c>cli.py t2i</c> uses none).</summary>
    public const string GeneratePrefix = "Generate an image of ";

    /// <summary>
    /// <c>build_prompt(prompt, with_image=False, gen_image=True)</c>: the system turn, the user's request and an open
    /// assistant turn. <paramref name="prefix"/> is <see cref="GeneratePrefix"/> as the scaling experiment uses it;
    /// <paramref name="system"/> the system message.
    /// </summary>
    public static string Generation(string prompt, string prefix = GeneratePrefix, string system = System) =>
        $"{Qwen2Tokenizer.ImStart}system\n{system}{Qwen2Tokenizer.ImEnd}\n" +
        $"{Qwen2Tokenizer.ImStart}user\n{prefix}{prompt}{Qwen2Tokenizer.ImEnd}\n" +
        $"{Qwen2Tokenizer.ImStart}assistant\n";

    /// <summary>The image-start token the LLM emits before the latent queries (and that wraps a spliced image).</summary>
    public const string ImageStart = "<im_start>";

    /// <summary>The image-end token after a spliced image.</summary>
    public const string ImageEnd = "<im_end>";

    /// <summary>
    /// <c>build_prompt(question, with_image=True)</c>: the image placeholder wrapped in <see cref="ImageStart"/> /
    /// <see cref="ImageEnd"/> (<c>mm_use_im_start_end</c>) on its own line before the question; tokenize it with
    /// <see cref="LatentSplicing.TokenizeWithImage"/>.
    /// </summary>
    public static string WithImage(string question, string system = System) =>
        $"{Qwen2Tokenizer.ImStart}system\n{system}{Qwen2Tokenizer.ImEnd}\n" +
        $"{Qwen2Tokenizer.ImStart}user\n{ImageStart}{LatentSplicing.ImagePlaceholder}{ImageEnd}\n{question}{Qwen2Tokenizer.ImEnd}\n" +
        $"{Qwen2Tokenizer.ImStart}assistant\n";
}
