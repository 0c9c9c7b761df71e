using System.Text.Json;
using System.Text.Json.Nodes;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Llm;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.T2I;

/// <summary>
/// The understanding half of a Scale-RAE T2I checkpoint — the Qwen2 LLM (<c>model.*</c>, <c>lm_head.*</c>) and the
/// multimodal projector (<c>model.mm_projector.*</c>) — reading latents as image tokens, as the latent verifiers of
/// <c>inference/scaling_experiment.py</c> do: one candidate per call (batch 1, no padding), no KV cache, because the
/// official <c>greedy_decode_with_logits</c> (use_cache=False) re-runs the whole sequence at every step and, with the
/// bf16 splice, a cached run would differ from step 2 on.
/// </summary>
public sealed class ScaleRaeUnderstanding
{
    /// <summary>Checkpoint prefixes of the generation half, skipped explicitly when loading.</summary>
    public static readonly string[] GenerationPrefixes = ["diff_head.", "diff_head_projector.", "model.latent_queries"];

    private const string ProjectorPrefix = "model.mm_projector.";

    /// <summary>The causal LM.</summary>
    public Qwen2ForCausalLM Lm { get; }

    /// <summary>The <c>mlp2x_gelu</c> projector from latent channels to the LLM width.</summary>
    public MmProjector Projector { get; }

    /// <summary>Official bf16 splice (default) or the no-cast correction.</summary>
    public SplicePrecision Precision { get; }

    private ScaleRaeUnderstanding(Qwen2ForCausalLM lm, MmProjector projector, SplicePrecision precision) =>
        (Lm, Projector, Precision) = (lm, projector, precision);

    /// <summary>
    /// Loads both parts strictly from a whole Scale-RAE checkpoint: only <see cref="GenerationPrefixes"/> are skipped;
    /// any other missing, unexpected or mis-shaped key is an error naming it.
    /// </summary>
    public static ScaleRaeUnderstanding Load(Qwen2Config config, long mmHiddenSize, IReadOnlyDictionary<string, Tensor> checkpoint,
        string sourceName, SplicePrecision precision = SplicePrecision.OfficialBf16Cast)
    {
        var own = checkpoint.Where(kv => !GenerationPrefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal))).ToList();
        var llm = own.Where(kv => !kv.Key.StartsWith(ProjectorPrefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var proj = own.Where(kv => kv.Key.StartsWith(ProjectorPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[ProjectorPrefix.Length..], kv => kv.Value);
        var lm = Qwen2ForCausalLM.Load(config, llm, sourceName);
        var projector = new MmProjector(mmHiddenSize, config.HiddenSize);
        StateDictLoader.LoadFrozen(projector, proj, sourceName + " (model.mm_projector.*)");
        return new ScaleRaeUnderstanding(lm, projector, precision);
    }

    /// <summary>
    /// The understanding half of an already loaded T2I model: the same LLM and projector modules (no copy, no second
    /// load), so generation and verification read one set of weights.
    /// </summary>
    public static ScaleRaeUnderstanding From(ScaleRaeT2IModel model, SplicePrecision precision = SplicePrecision.OfficialBf16Cast) =>
        new(model.Llm, model.MmProjector, precision);

    /// <summary>The Scale-RAE model type (<c>ScaleRAEQwenForCausalLM</c>), a Qwen2 LLM underneath.</summary>
    public const string ModelType = "cambrian_qwen";

    /// <summary>
    /// The LLM's <see cref="Qwen2Config"/> from a Scale-RAE <c>config.json</c>: its <c>model_type</c> is
    /// <see cref="ModelType"/>, read as <c>qwen2</c>; every other field is validated as usual.
    /// </summary>
    public static Qwen2Config LlmConfig(JsonElement hfConfig, string name = "Scale-RAE config.json")
    {
        var node = JsonNode.Parse(hfConfig.GetRawText())!.AsObject();
        if (node["model_type"]?.GetValue<string>() == ModelType) node["model_type"] = "qwen2";
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return Qwen2Config.FromJson(doc.RootElement.Clone(), name);
    }

    /// <summary>The same weights with another splice precision.</summary>
    public ScaleRaeUnderstanding With(SplicePrecision precision) => new(Lm, Projector, precision);

    /// <summary>
    /// Latents [N, C, H, W] (any device) → image features [N, H·W, hidden] on the model's device and dtype (token n = row
    /// n / W, column n % W).
    /// </summary>
    public Tensor ProjectLatents(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var (n, c) = (latents.shape[0], latents.shape[1]);
        var tokens = latents.permute(0, 2, 3, 1).reshape(n, -1, c);
        var w = Projector.parameters().First();
        return Projector.forward(tokens.to(w.dtype, w.device)).MoveToOuterDisposeScope();
    }

    /// <summary>One forward of the spliced prompt: logits [L − 1 + N, vocab] (float32).</summary>
    public Tensor PromptLogits(long[] ids, Tensor imageFeatures)
    {
        using var scope = NewDisposeScope();
        var spliced = LatentSplicing.Splice(Lm.model.embed_tokens, ids, imageFeatures);
        var logits = Lm.Forward(inputsEmbeds: LatentSplicing.ForFirstForward(spliced, Precision)).Logits[0];
        return logits.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>greedy_decode_with_logits</c>: argmax of the last position, the whole sequence re-run each step; stops after
    /// <paramref name="eosTokenId"/> (kept) or once the count <i>exceeds</i> <paramref name="maxNewTokens"/> — the
    /// official off-by-one, so up to maxNewTokens + 1 tokens.
    /// </summary>
    public GreedyDecodeResult GreedyDecodeWithLogits(long[] ids, Tensor imageFeatures, int maxNewTokens, long eosTokenId)
    {
        using var scope = NewDisposeScope();
        var spliced = LatentSplicing.Splice(Lm.model.embed_tokens, ids, imageFeatures);
        var input = LatentSplicing.ForFirstForward(spliced, Precision);
        var (tokens, selected, confs, steps) = (new List<long>(), new List<double>(), new List<double>(), new List<Tensor>());
        while (true)
        {
            var l = Lm.Forward(inputsEmbeds: input).Logits[0, -1].to(ScalarType.Float32);
            var token = l.argmax().item<long>();
            tokens.Add(token);
            selected.Add(l[token].item<float>());
            confs.Add(Confidence(l.unsqueeze(0)));
            steps.Add(l);
            if (token == eosTokenId || tokens.Count > maxNewTokens) break;
            // cat(bf16 prompt, float32 embedding) promotes to float32: the prompt stays bf16-rounded, the norm stops rounding.
            var next = Lm.model.embed_tokens.forward(tensor(new[] { token }, device: input.device)).unsqueeze(0);
            input = cat([input.to(ScalarType.Float32), next], 1);
        }
        return new GreedyDecodeResult(tokens.ToArray(), selected.ToArray(), confs.ToArray(), stack(steps).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The official confidence of logits [P, V]: −mean over positions and entries of log(V·softmax(l)) (0 when
    /// uniform), computed in float64.
    /// </summary>
    public static double Confidence(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var v = logits.shape[^1];
        var logp = functional.log_softmax(logits.to(ScalarType.Float64), -1);
        return -(logp + Math.Log(v)).mean().item<double>();
    }
}
