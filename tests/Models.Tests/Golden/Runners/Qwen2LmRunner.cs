using RAE.Grid.Models.Llm;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>
/// Golden case <c>t2i/qwen2_lm</c> (README Addendum 3, A3.2): HF Qwen2ForCausalLM 4.37, untied (<c>io</c>) and tied
/// (<c>io_tied</c>), two right-padded prompts; every output and intermediate at every position (padded ones check the mask).
/// </summary>
public sealed class Qwen2LmRunner : IGoldenCaseRunner
{
    private const double Rtol = 2e-5;

    public string Case => "qwen2_lm";

    /// <summary>The model and io of one variant: untied (weights + io) or tied (weights_tied + io_tied).</summary>
    internal static (Qwen2ForCausalLM Model, Dictionary<string, Tensor> Io) Load(GoldenCase c, bool tied)
    {
        var suffix = tied ? "_tied" : "";
        var config = Qwen2Config.FromJson(c[tied ? "hf_config_tied" : "hf_config"]);
        var weights = $"weights{suffix}.safetensors";
        return (Qwen2ForCausalLM.Load(config, c.Read(weights), c.PathOf(weights)), c.Read($"io{suffix}.safetensors"));
    }

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        using var _ = no_grad();
        foreach (var tied in new[] { false, true })
        {
            var (model, io) = Load(c, tied);
            if (tied != model.lm_head is null) throw new InvalidOperationException("tie_word_embeddings not honoured");
            var ids = io["in.input_ids"];
            var o = model.Forward(ids, attentionMask: io["in.attention_mask"], outputHiddenStates: true);
            var (cos, sin) = Qwen2Rope.Tables(arange(ids.shape[1], ScalarType.Int64), model.Config.HeadDim, model.Config.RopeTheta);
            var file = tied ? "io_tied" : "io";
            yield return new($"{file}:out.logits", o.Logits, io["out.logits"], Rtol);
            yield return new($"{file}:out.last_hidden_state", o.Model.LastHiddenState, io["out.last_hidden_state"], Rtol);
            yield return new($"{file}:mid.hidden_states", o.Model.HiddenStates!, io["mid.hidden_states"], Rtol);
            yield return new($"{file}:mid.last_layer_pre_norm", o.Model.LastLayerPreNorm, io["mid.last_layer_pre_norm"], Rtol);
            yield return new($"{file}:mid.rope_cos", cos, io["mid.rope_cos"], Rtol);
            yield return new($"{file}:mid.rope_sin", sin, io["mid.rope_sin"], Rtol);
        }
    }
}
