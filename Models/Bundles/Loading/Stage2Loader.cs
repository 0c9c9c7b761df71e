using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Bundles.Loading;

/// <summary>
/// Builds a diffusion model from a bundle block (<c>stage_2</c> or <c>guidance.guidance_model</c>): the official
/// target class with its YAML params, weights from safetensors or the authors' <c>stage2_model.pt</c> (the
/// <c>ema</c> weights when the file holds a training wrapper), loaded strictly.
/// </summary>
public static class Stage2Loader
{
    /// <summary>
    /// Builds the official target class (<c>DiTwDDTHead</c> or <c>LightningDiT</c>) from its YAML params, with the
    /// constructor's initial weights (no checkpoint). Training starts from this. A bad param is a
    /// <see cref="ConfigFieldException"/> naming <paramref name="source"/> (default: <c>params</c>) and the field.
    /// </summary>
    public static nn.Module<Tensor, Tensor, Tensor, Tensor> Build(string target, System.Text.Json.Nodes.JsonObject parameters, string where = "stage_2",
        string? source = null)
    {
        var json = JsonDocument.Parse(parameters.ToJsonString()).RootElement;
        source ??= DiTConfigRules.DefaultSource;
        return target switch
        {
            "DiTwDDTHead" => new DiTDH(DiTDHConfig.FromJson(json, source)),
            "LightningDiT" => new LightningDiT(LightningDiTConfig.FromJson(json, source)),
            var other => throw new ArgumentException($"{where}.target: unknown model '{other}'"),
        };
    }

    /// <summary>Builds, loads and freezes the model of <paramref name="section"/>.</summary>
    public static IVelocityModel Load(RaeBundle bundle, ModelSection section, string where)
    {
        var module = Build(section.Target, section.Params!, where, $"bundle '{bundle.Name}' in {bundle.BaseDir}: {where}.params");
        var weights = Checkpoint.ReadStateDict(bundle.Resolve(section.Ckpt));
        StateDictLoader.LoadFrozen(module, weights, $"{where}.ckpt ({section.Ckpt})");
        bundle.Compute.Apply(module);
        return (IVelocityModel)module;
    }
}
