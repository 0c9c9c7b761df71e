using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Llm;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// A bundle's text-to-image model at run time: the Scale-RAE checkpoint of <c>t2i.llm</c> (loaded strictly, on the
/// bundle's device and dtype), its Qwen2 tokenizer and the section's templates and limits. Prompts become per-token
/// conditions (<see cref="Condition"/>), conditions become latents of the stage-1 RAE (<see cref="Generate"/>), and the
/// same LLM reads latents back for the latent verifiers (<see cref="Understanding"/>).
/// </summary>
public sealed class TextToImage : IDisposable
{
    /// <summary>The loaded <c>ScaleRAEQwenForCausalLM</c>.</summary>
    public ScaleRaeT2IModel Model { get; }
    /// <summary>The Qwen2 tokenizer of <c>t2i.tokenizer</c>.</summary>
    public Qwen2Tokenizer Tokenizer { get; }
    /// <summary>The bundle section it was loaded from.</summary>
    public T2ISection Section { get; }
    /// <summary>[C, H, W] of the latents the diffusion head generates.</summary>
    public long[] LatentShape { get; }

    readonly Device _device;
    readonly ScalarType _dtype;
    readonly long _imageStartId;

    private TextToImage(ScaleRaeT2IModel model, Qwen2Tokenizer tokenizer, T2ISection section, Device device, ScalarType dtype)
    {
        Model = model; Tokenizer = tokenizer; Section = section; _device = device; _dtype = dtype;
        var c = model.Head.diff_head.model.Config;
        LatentShape = [c.InChannels, c.InputSize, c.InputSize];
        _imageStartId = tokenizer.SpecialId(ScaleRaePrompts.ImageStart);
    }

    /// <summary>
    /// Loads <paramref name="bundle"/>'s <c>t2i</c> section: the HF config, the checkpoint (one safetensors or .pt file,
    /// or a sharded <c>model.safetensors.index.json</c>) less <c>skip_prefixes</c>, strictly, and the tokenizer.
    /// </summary>
    public static TextToImage Load(RaeBundle bundle)
    {
        var section = bundle.T2I ?? throw new InvalidOperationException($"bundle '{bundle.Name}' has no t2i section");
        var configPath = bundle.Resolve(section.Llm.Config);
        var weightsPath = bundle.Resolve(section.Llm.Weights);
        var tokenizer = Qwen2Tokenizer.Load(section.Tokenizer.Select(bundle.Resolve).ToArray());
        var hf = ConfigReader.ReadFile(configPath);
        var vocab = new ConfigReader(hf, configPath).PositiveInt("vocab_size", 0);
        if (tokenizer.VocabularySize > vocab)
            throw new BundleValidationException(bundle.Name, [$"t2i.tokenizer: {tokenizer.VocabularySize} token ids, but t2i.llm.config has vocab_size {vocab}"]);
        if (!tokenizer.SpecialTokens.ContainsKey(ScaleRaePrompts.ImageStart))
            throw new BundleValidationException(bundle.Name, [$"t2i.tokenizer: no special token '{ScaleRaePrompts.ImageStart}' (the image-start token generation ends with)"]);
        var stateDict = weightsPath.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase)
            ? ShardedSafeTensors.ReadAll(weightsPath) : Checkpoint.ReadStateDict(weightsPath);
        try
        {
            var model = ScaleRaeT2IModel.Load(hf, T2IValidation.DiffHead(section), stateDict, $"t2i.llm.weights ({section.Llm.Weights})",
                section.Llm.SkipPrefixes);
            bundle.Compute.Apply(model);
            return new TextToImage(model, tokenizer, section, bundle.Compute.TorchDevice, bundle.Compute.ScalarType);
        }
        finally { foreach (var t in stateDict.Values) t.Dispose(); }
    }

    /// <summary>
    /// The templated generation ids of <paramref name="prompt"/> (<see cref="ScaleRaePrompts.Generation"/> with the
    /// section's templates) followed by the <c>&lt;im_start&gt;</c> id: what <see cref="ScaleRaeT2IModel.Condition"/>
    /// expects. The bare prompt may have at most <c>t2i.max_prompt_tokens</c> tokens.
    /// </summary>
    public long[] GenerationIds(string prompt)
    {
        if (string.IsNullOrWhiteSpace(prompt)) throw new ArgumentException("prompt: empty");
        var n = Tokenizer.Encode(prompt).Count;
        if (n > Section.MaxPromptTokens)
            throw new ArgumentException($"prompt: {n} tokens, over t2i.max_prompt_tokens {Section.MaxPromptTokens}");
        var text = ScaleRaePrompts.Generation(prompt, Section.Templates.GeneratePrefix, Section.Templates.System);
        return [.. Tokenizer.Encode(text).Select(x => (long)x), _imageStartId];
    }

    /// <summary>
    /// Prompts → per-token conditions [B, L, z] (the <c>diff_head_projector</c> output), float32 on the CPU. Prompts of
    /// equal id length run as one batch (the official path pads nothing); others run separately, so a row never
    /// depends on the other prompts.
    /// </summary>
    public Tensor Condition(IReadOnlyList<string> prompts)
    {
        if (prompts.Count == 0) throw new ArgumentException("prompts: none");
        var ids = prompts.Select(GenerationIds).ToArray();
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var rows = new Tensor[prompts.Count];
        foreach (var group in Enumerable.Range(0, ids.Length).GroupBy(i => ids[i].Length))
        {
            var members = group.ToArray();
            var batch = tensor(members.SelectMany(i => ids[i]).ToArray(), [members.Length, group.Key]).to(_device);
            using var cond = Model.Condition(batch);
            var z = cond.CondZ.to(ScalarType.Float32).cpu();
            for (var k = 0; k < members.Length; k++) rows[members[k]] = z[k];
        }
        return stack(rows, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Conditions [B, L, z] → latents [B, C, H, W], float32 on the CPU. Item b starts from
    /// <see cref="ItemNoise.ForItem"/>(<paramref name="seeds"/>[b], <paramref name="itemIndices"/>[b]) — the rule of
    /// <see cref="RaeModel.GenerateLatents(IReadOnlyList{long}, IReadOnlyList{long}, IReadOnlyList{long}, SamplingSettings?, CancellationToken)"/>,
    /// so a sample does not depend on its batch. <see cref="ScaleRaeSampler.Euler"/> integrates on RAE's shifted grid with
    /// real CFG (learned null condition) when <paramref name="cfgScale"/> ≠ 1; <see cref="ScaleRaeSampler.OfficialLoop"/>
    /// is the official loop, which never guides (as the official <c>infer</c>). <paramref name="cancellation"/> is
    /// checked between steps (<see cref="OperationCanceledException"/>).
    /// </summary>
    public Tensor Generate(Tensor condZ, IReadOnlyList<long> seeds, IReadOnlyList<long> itemIndices, int steps,
        double cfgScale, ScaleRaeSampler sampler, CancellationToken cancellation = default)
    {
        var z = Model.Head.diff_head.model.Config.ZChannels;
        var tokens = LatentShape[1] * LatentShape[2];
        if (condZ.dim() != 3 || condZ.shape[1] != tokens || condZ.shape[2] != z)
            throw new ArgumentException($"condZ: expected [B, {tokens}, {z}], got [{string.Join(",", condZ.shape)}]", nameof(condZ));
        var b = condZ.shape[0];
        if (seeds.Count != b || itemIndices.Count != b)
            throw new ArgumentException($"{b} conditions, {seeds.Count} seeds and {itemIndices.Count} item indices");
        if (steps < (sampler == ScaleRaeSampler.OfficialLoop ? 2 : 1))
            throw new ArgumentOutOfRangeException(nameof(steps), $"steps: must be at least {(sampler == ScaleRaeSampler.OfficialLoop ? 2 : 1)} for {sampler}, got {steps}");
        if (!(cfgScale >= 1)) throw new ArgumentOutOfRangeException(nameof(cfgScale), $"cfg scale: must be at least 1, got {cfgScale}");
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var noise = stack(Enumerable.Range(0, (int)b)
            .Select(i => ItemNoise.ForItem(seeds[i], itemIndices[i], LatentShape, _device, _dtype)).ToArray(), 0);
        var cond = condZ.to(_dtype, _device);
        var head = Model.Head.diff_head;
        var x = sampler switch
        {
            ScaleRaeSampler.Euler => head.SampleEuler(noise, cond, steps, cfgScale, cancellation),
            ScaleRaeSampler.OfficialLoop => head.SampleOfficialLoop(noise, cond, steps, cancellation),
            _ => throw new ArgumentOutOfRangeException(nameof(sampler)),
        };
        return x.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>The understanding half, sharing this model's LLM and <c>mm_projector</c> (nothing is loaded again).</summary>
    public ScaleRaeUnderstanding Understanding(SplicePrecision precision) => ScaleRaeUnderstanding.From(Model, precision);

    public void Dispose() => Model.Dispose();
}
