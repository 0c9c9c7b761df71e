using RAE.Grid.Models.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.T2I;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// The generation half of <c>ScaleRAEQwenForCausalLM</c> after the LLM: <c>diff_head_projector</c> (Linear, LLM width →
/// z) maps the query tokens' last hidden states to the per-token condition, and <c>diff_head</c> samples latents from
/// it. Keys are the official top-level ones (<c>diff_head_projector.*</c>, <c>diff_head.model.*</c>).
/// </summary>
public sealed class ScaleRaeDiffusionHead : Module<Tensor, Tensor>
{
    /// <summary>Key prefixes of this part of the checkpoint.</summary>
    public static readonly string[] OwnPrefixes = ["diff_head.", "diff_head_projector."];
    /// <summary>Key prefixes of the LLM part (Qwen2, latent queries, mm_projector), skipped by <see cref="Load"/>.</summary>
    public static readonly string[] LlmPrefixes = ["model.", "lm_head."];

    public readonly Linear diff_head_projector;
    public readonly RectifiedFlowDiffHead diff_head;

    public ScaleRaeDiffusionHead(int llmHiddenSize, ScaleRaeDiTConfig config) : base("ScaleRaeDiffusionHead")
    {
        diff_head_projector = Linear(llmHiddenSize, config.ZChannels);
        diff_head = new RectifiedFlowDiffHead(config);
        RegisterComponents();
    }

    /// <summary>Per-token condition cond_z [B, L, z] from the query hidden states [B, L, LLM width].</summary>
    public override Tensor forward(Tensor queryHiddenStates) => diff_head_projector.forward(queryHiddenStates);

    /// <summary>
    /// Strict, frozen load from a whole Scale-RAE checkpoint: the LLM keys (<see cref="LlmPrefixes"/>) are skipped by
    /// prefix; every other key must be one of this module's, each of which must be present with its shape.
    /// </summary>
    public void Load(IReadOnlyDictionary<string, Tensor> checkpoint, string sourceName)
    {
        var own = checkpoint.Where(kv => !LlmPrefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal)))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        StateDictLoader.LoadFrozen(this, own, sourceName);
    }
}
