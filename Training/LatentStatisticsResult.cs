using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;

namespace RAE.Grid.Training;

/// <summary>Per-(channel, position) latent statistics [C,h,w] (float32, CPU) and how many latents went in.</summary>
public sealed record LatentStatisticsResult(Tensor Mean, Tensor Var, long Samples) : IDisposable
{
    /// <summary>Writes a safetensors file with <c>mean</c> and <c>var</c> that <see cref="LatentStatsFile.Read"/> reads.</summary>
    public void Save(string path) => LatentStatistics.Write(path, Mean, Var);

    /// <inheritdoc/>
    public void Dispose() { Mean.Dispose(); Var.Dispose(); }
}
