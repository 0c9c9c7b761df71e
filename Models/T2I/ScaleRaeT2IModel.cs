using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.FlowMatching;
using RAE.Grid.Models.Llm;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// Scale-RAE's text-to-image model, official <c>ScaleRAEQwenForCausalLM</c> (query mode, diffusion loss): a Qwen2 LLM
/// reads the prompt followed by learnable latent queries; the normed last hidden states at the query positions go
/// through <c>diff_head_projector</c> and condition the LightningDiT (<c>diff_head</c>) per token. The multimodal
/// projector maps latents back into the LLM for understanding. Its state dict has exactly the official keys:
/// <c>model.*</c> (Qwen2, <c>model.latent_queries</c>, <c>model.mm_projector.*</c>), <c>lm_head.weight</c> (absent when
/// tied), <c>diff_head_projector.*</c>, <c>diff_head.model.*</c>.
/// </summary>
public sealed class ScaleRaeT2IModel : Module
{
    /// <summary><c>model_type</c> values accepted in the HF config (the released models say <c>cambrian_qwen</c>).</summary>
    public static readonly string[] ModelTypes = ["cambrian_qwen", "qwen2"];

    /// <summary>The Qwen2 causal LM (keys <c>model.*</c>, <c>lm_head.*</c>).</summary>
    public Qwen2ForCausalLM Llm { get; }
    /// <summary><c>model.latent_queries</c> [L, hidden]: appended to every prompt; L = the DiT's token count.</summary>
    public Parameter LatentQueries { get; }
    /// <summary><c>model.mm_projector</c>: latent tokens → LLM embeddings.</summary>
    public MmProjector MmProjector { get; }
    /// <summary><c>diff_head_projector</c> and <c>diff_head</c>.</summary>
    public ScaleRaeDiffusionHead Head { get; }

    /// <summary>A model with placeholder weights; <see cref="Load"/> for a checkpoint.</summary>
    public ScaleRaeT2IModel(Qwen2Config llm, ScaleRaeDiTConfig dit, int mmHiddenSize) : base("ScaleRAEQwenForCausalLM")
    {
        Llm = new Qwen2ForCausalLM(llm);
        Head = new ScaleRaeDiffusionHead(llm.HiddenSize, dit);
        LatentQueries = new Parameter(zeros(Head.diff_head.model.NumTokens, llm.HiddenSize), requires_grad: false);
        MmProjector = new MmProjector(mmHiddenSize, llm.HiddenSize);
        // The official ScaleRAEQwenModel subclasses Qwen2Model with these two attributes, hence model.latent_queries and
        // model.mm_projector.*; the children are registered under their official names, not under this class's fields.
        Llm.model.register_parameter("latent_queries", LatentQueries);
        Llm.model.register_module("mm_projector", MmProjector);
        foreach (var (name, child) in Llm.named_children()) register_module(name, child);
        foreach (var (name, child) in Head.named_children()) register_module(name, child);
    }

    /// <summary>The children are registered under their official names in the constructor; the property fields are not keys.</summary>
    protected override void RegisterComponents() { }

    /// <summary>
    /// Builds the model from the HF config (<c>hidden_size</c>, …, <c>mm_hidden_size</c>, <c>tie_word_embeddings</c>) and
    /// the LightningDiT parameters, and loads <paramref name="stateDict"/> strictly: every missing, unexpected or
    /// mis-shaped key is named in one error. Eval mode, no gradients. Keys starting with one of
    /// <paramref name="skipPrefixes"/> (e.g. a released checkpoint's <c>model.vision_tower.</c>) are dropped first, by
    /// name, so the load stays strict for everything else.
    /// </summary>
    public static ScaleRaeT2IModel Load(JsonElement hfConfig, ScaleRaeDiTConfig dit, IReadOnlyDictionary<string, Tensor> stateDict,
        string sourceName = "Scale-RAE checkpoint", IReadOnlyCollection<string>? skipPrefixes = null)
    {
        if (skipPrefixes is { Count: > 0 })
            stateDict = stateDict.Where(kv => !skipPrefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal)))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
        var llm = Qwen2Config.FromJson(hfConfig, sourceName + " config", ModelTypes);
        var r = new ConfigReader(hfConfig, sourceName + " config");
        var mmProjectorType = r.String("mm_projector_type", MmProjector.Type);
        if (mmProjectorType != MmProjector.Type) throw r.Bad("mm_projector_type", $"must be '{MmProjector.Type}'");
        var m = new ScaleRaeT2IModel(llm, dit, r.PositiveInt("mm_hidden_size", dit.InChannels));
        if (m.MmProjectorInput != dit.InChannels)
            throw r.Bad("mm_hidden_size", $"is {m.MmProjectorInput} but the DiT's latents have {dit.InChannels} channels");
        StateDictLoader.LoadFrozen(m, stateDict, sourceName);
        return m;
    }

    /// <summary>Input width of the multimodal projector (the latent channels).</summary>
    public int MmProjectorInput => (int)MmProjector.parameters().First().shape[1];

    /// <summary>
    /// The official conditioning path (A3.3): inputs_embeds = cat(embed(ids), latent_queries) for every row, Qwen2
    /// causal with positions arange and no padding mask (the official greedy_decode runs unpadded prompts), normed
    /// last hidden state at the query positions → <c>diff_head_projector</c>. <paramref name="inputIds"/> [B, T] is the
    /// templated prompt ending with <c>&lt;im_start&gt;</c>; rows must share T (no padding). The next-token logits are
    /// those at the template's last token (position T − 2), from which the released model picks <c>&lt;im_start&gt;</c>.
    /// </summary>
    public ScaleRaeConditioning Condition(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        if (t < 2) throw new ArgumentException($"prompt ids [{b},{t}]: need the template and its <im_start>");
        var queries = LatentQueries.unsqueeze(0).expand(b, -1, -1).to(Llm.model.embed_tokens.weight!.dtype);
        var embeds = cat([Llm.model.embed_tokens.forward(inputIds), queries], 1);
        var last = Llm.model.Forward(inputsEmbeds: embeds).LastHiddenState;
        var query = last[TensorIndex.Colon, TensorIndex.Slice(t)];
        var condZ = Head.forward(query);
        // The ids end with the <im_start> the LLM emitted; the logits that chose it are one position earlier.
        var next = Llm.Logits(last[TensorIndex.Colon, t - 2]);
        return new ScaleRaeConditioning(condZ.MoveToOuterDisposeScope(), query.contiguous().MoveToOuterDisposeScope(),
            next.MoveToOuterDisposeScope());
    }

    /// <summary>Standard normal noise [B, C, H, W] for the diffusion head from a seed (CPU generator).</summary>
    public Tensor Noise(long batch, long seed)
    {
        var c = Head.diff_head.model.Config;
        using var gen = new Generator((ulong)seed);
        return randn([batch, c.InChannels, c.InputSize, c.InputSize], generator: gen);
    }

    /// <summary>
    /// Prompt ids [B, T] → latents [B, C, H, W]: <see cref="Condition"/>, then the diffusion head from
    /// <paramref name="noise"/> with <paramref name="steps"/> Euler steps and real CFG (learned null embedding) when
    /// <paramref name="cfgScale"/> ≠ 1, or the official loop (<see cref="ScaleRaeSampler.OfficialLoop"/>, which ignores
    /// <paramref name="cfgScale"/> as the official <c>infer</c> does).
    /// </summary>
    public Tensor Generate(Tensor inputIds, Tensor noise, int steps = 50, double cfgScale = 1.0,
        ScaleRaeSampler sampler = ScaleRaeSampler.Euler)
    {
        using var scope = NewDisposeScope();
        using var cond = Condition(inputIds);
        var x = sampler switch
        {
            ScaleRaeSampler.Euler => Head.diff_head.SampleEuler(noise, cond.CondZ, steps, cfgScale),
            // As the official infer: any guidance level returns the conditional velocity (its CFG interval holds every t).
            ScaleRaeSampler.OfficialLoop => Head.diff_head.SampleOfficialLoop(noise, cond.CondZ, steps),
            _ => throw new ArgumentOutOfRangeException(nameof(sampler)),
        };
        return x.MoveToOuterDisposeScope();
    }
}
