using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.T2I;

namespace RAE.Grid.Models.Bundles;

/// <summary>The checks of a bundle's <c>t2i</c> section, each problem naming its field (part of <see cref="RaeBundle.Validate"/>).</summary>
internal static class T2IValidation
{
    public static void Check(T2ISection t, List<string> p, Action<string?, string, bool> fileMustExist)
    {
        fileMustExist(t.Llm.Config, "t2i.llm.config", true);
        fileMustExist(t.Llm.Weights, "t2i.llm.weights", true);
        foreach (var (prefix, i) in t.Llm.SkipPrefixes.Select((x, i) => (x, i)))
            if (string.IsNullOrEmpty(prefix)) p.Add($"t2i.llm.skip_prefixes[{i}]: empty (it would skip every key)");
        if (t.DiffHead is null) p.Add("t2i.diff_head: missing");
        else
        {
            try { ScaleRaeDiTConfig.FromJson(JsonDocument.Parse(t.DiffHead.ToJsonString()).RootElement, "t2i.diff_head"); }
            catch (ConfigFieldException e) { p.Add(e.Message); }
        }
        if (t.Tokenizer.Length == 0) p.Add("t2i.tokenizer: missing (vocab.json + merges.txt [+ tokenizer_config.json], or tokenizer.json)");
        foreach (var (file, i) in t.Tokenizer.Select((x, i) => (x, i))) fileMustExist(file, $"t2i.tokenizer[{i}]", true);
        if (!SamplerNames.TextToImage.Contains(t.Sampler.Method))
            p.Add($"t2i.sampler.method: '{t.Sampler.Method}' is not one of {string.Join(", ", SamplerNames.TextToImage)}");
        if (t.Sampler.NumSteps < 1) p.Add("t2i.sampler.num_steps: must be at least 1");
        else if (t.Sampler.Method == SamplerNames.OfficialLoop && t.Sampler.NumSteps < 2) p.Add("t2i.sampler.num_steps: the official loop needs at least 2");
        if (!(t.Sampler.CfgScale >= 1)) p.Add("t2i.sampler.cfg_scale: must be at least 1 (1 = no guidance)");
        if (t.MaxPromptTokens <= 0) p.Add("t2i.max_prompt_tokens: must be positive");
    }

    /// <summary>Problems when the diffusion head's latents [in_channels, input_size, input_size] are not the encoder's [C, H, W].</summary>
    public static List<string> LatentShapeProblems(ScaleRaeDiTConfig dit, long[] encoderLatent)
    {
        var p = new List<string>();
        if (dit.InChannels != encoderLatent[0])
            p.Add($"t2i.diff_head.in_channels: {dit.InChannels}, but the stage_1 encoder's latents have {encoderLatent[0]} channels");
        if (dit.InputSize != encoderLatent[1] || dit.InputSize != encoderLatent[2])
            p.Add($"t2i.diff_head.input_size: {dit.InputSize}, but the stage_1 encoder's latents are {encoderLatent[1]}×{encoderLatent[2]}");
        return p;
    }

    /// <summary>The diffusion head's parameters (the section has been validated).</summary>
    public static ScaleRaeDiTConfig DiffHead(T2ISection t) =>
        ScaleRaeDiTConfig.FromJson(JsonDocument.Parse(t.DiffHead!.ToJsonString()).RootElement, "t2i.diff_head");
}
