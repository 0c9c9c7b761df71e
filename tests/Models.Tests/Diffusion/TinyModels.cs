using RAE.Grid.Models.Diffusion;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.Diffusion;

/// <summary>Small seeded models for behaviour tests that need no checkpoint.</summary>
internal static class TinyModels
{
    public static DiTDHConfig DiTDHConfig => new()
    {
        InputSize = 4, PatchSize = 1, InChannels = 8, HiddenSize = [16, 32], Depth = [1, 1], NumHeads = [2, 2], NumClasses = 5,
    };

    public static DiTDH DiTDH(int seed = 1)
    {
        random.manual_seed(seed);
        var model = new DiTDH(DiTDHConfig);
        // The official init zeroes adaLN and the final layer; random values make the tests meaningful.
        using (no_grad())
            foreach (var p in model.parameters()) if (p.requires_grad) p.copy_(randn_like(p) * 0.3);
        model.eval();
        return model;
    }
}
