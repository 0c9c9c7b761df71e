using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Golden.Runners;

/// <summary>Golden case <c>lightningdit</c>: official LightningDiT forward.</summary>
public sealed class LightningDiTRunner : IGoldenCaseRunner
{
    public string Case => "lightningdit";

    public IEnumerable<GoldenComparison> Run(GoldenCase c)
    {
        const double rtol = 2e-5;
        var model = new LightningDiT(LightningDiTConfig.FromJson(c["params"]));
        StateDictLoader.Load(model, c.Read("weights.safetensors"), "lightningdit/weights.safetensors");
        model.eval();
        var io = c.Read("io.safetensors");
        using var _ = no_grad();
        yield return new("io:mid.t_emb", model.t_embedder.forward(io["in.t"]), io["mid.t_emb"], rtol);
        yield return new("io:out.velocity", model.forward(io["in.x"], io["in.t"], io["in.y"]), io["out.velocity"], rtol);
    }
}
