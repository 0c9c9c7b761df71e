using RAE.Grid.Models.Llm;
using RAE.Grid.Models.Tests.Golden;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Llm;

/// <summary>
/// Golden case <c>t2i/qwen2_lm</c> (README Addendum 3, A3.2): HF Qwen2ForCausalLM 4.37, untied and tied, two
/// right-padded prompts. Every <c>out.*</c> and <c>mid.*</c> at every position (padded ones check the mask):
/// <c>max|ours − ref| ≤ 2e-5 · max|ref|</c>. Reads the folder directly: the discovering harness does not run t2i/ yet.
/// </summary>
public class Qwen2GoldenTests(ITestOutputHelper output)
{
    private const double Rtol = 2e-5;

    internal static GoldenCase Case() => new(Path.Combine(GoldenCase.Root, "t2i", "qwen2_lm"));

    /// <summary>The model of one variant: untied (weights + io) or tied (weights_tied + io_tied).</summary>
    internal static (Qwen2ForCausalLM Model, Dictionary<string, Tensor> Io) Load(bool tied)
    {
        var c = Case();
        var suffix = tied ? "_tied" : "";
        var config = Qwen2Config.FromJson(c[tied ? "hf_config_tied" : "hf_config"]);
        var weights = $"weights{suffix}.safetensors";
        return (Qwen2ForCausalLM.Load(config, c.Read(weights), c.PathOf(weights)), c.Read($"io{suffix}.safetensors"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_output_and_intermediate_matches_the_reference(bool tied)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (model, io) = Load(tied);
        var ids = io["in.input_ids"];
        var o = model.Forward(ids, attentionMask: io["in.attention_mask"], outputHiddenStates: true);
        var positions = arange(ids.shape[1], ScalarType.Int64);
        var (cos, sin) = Qwen2Rope.Tables(positions, model.Config.HeadDim, model.Config.RopeTheta);

        var file = tied ? "io_tied" : "io";
        output.WriteLine($"{"output",-36} {"max abs err",12} {"rel err",12} {"rtol",8}");
        var failures = new[]
        {
            Compare($"{file}:out.logits", o.Logits, io["out.logits"]),
            Compare($"{file}:out.last_hidden_state", o.Model.LastHiddenState, io["out.last_hidden_state"]),
            Compare($"{file}:mid.hidden_states", o.Model.HiddenStates!, io["mid.hidden_states"]),
            Compare($"{file}:mid.last_layer_pre_norm", o.Model.LastLayerPreNorm, io["mid.last_layer_pre_norm"]),
            Compare($"{file}:mid.rope_cos", cos, io["mid.rope_cos"]),
            Compare($"{file}:mid.rope_sin", sin, io["mid.rope_sin"]),
        }.OfType<string>().ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(tied, model.lm_head is null);
    }

    /// <summary>Prints one table line; returns a failure message or null.</summary>
    private string? Compare(string label, Tensor ours, Tensor reference)
    {
        if (!ours.shape.SequenceEqual(reference.shape))
            return $"{label}: shape [{string.Join(",", ours.shape)}] vs reference [{string.Join(",", reference.shape)}]";
        var maxAbs = (ours.to(ScalarType.Float64) - reference.to(ScalarType.Float64)).abs().max().item<double>();
        var rel = maxAbs / reference.abs().max().item<float>();
        var ok = rel <= Rtol && !double.IsNaN(rel);
        output.WriteLine($"{label,-36} {maxAbs,12:E2} {rel,12:E2} {Rtol,8:0e0}{(ok ? "" : "  FAIL")}");
        Console.WriteLine($"GOLDEN qwen2_lm {label} maxabs={maxAbs:E2} rel={rel:E2} rtol={Rtol:0e0} {(ok ? "ok" : "FAIL")}");
        return ok ? null : $"{label}: max abs {maxAbs:E3}, relative {rel:E3} > {Rtol:E1}";
    }
}
