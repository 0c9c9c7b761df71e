using System.Text.Json;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Bundles;

/// <summary>
/// Builds a diffusion model from a bundle block (<c>stage_2</c> or <c>guidance.guidance_model</c>): the official
/// target class with its YAML params, weights from safetensors or the authors' <c>stage2_model.pt</c> (the
/// <c>ema</c> weights when the file holds a training wrapper), loaded strictly.
/// </summary>
public static class Stage2Loader
{
    /// <summary>Builds, loads and freezes the model of <paramref name="section"/>.</summary>
    public static IVelocityModel Load(RaeBundle bundle, ModelSection section, string where)
    {
        var json = JsonDocument.Parse(section.Params!.ToJsonString()).RootElement;
        nn.Module<Tensor, Tensor, Tensor, Tensor> module = section.Target switch
        {
            "DiTwDDTHead" => new DiTDH(DiTDHConfig.FromJson(json)),
            "LightningDiT" => new LightningDiT(LightningDiTConfig.FromJson(json)),
            var other => throw new ArgumentException($"{where}.target: unknown model '{other}'"),
        };
        var weights = Checkpoint.ReadStateDict(bundle.Resolve(section.Ckpt));
        StateDictLoader.LoadFrozen(module, weights, $"{where}.ckpt ({section.Ckpt})");
        bundle.Compute.Apply(module);
        return (IVelocityModel)module;
    }
}
