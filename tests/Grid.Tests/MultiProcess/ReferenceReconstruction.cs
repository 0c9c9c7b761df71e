using RAE.Grid.Models.Imaging;
using RAE.Grid.Models.Rae;
using StbImageSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// The reconstructions a grid should have made, made again in this process with the same bundle (decode + centre crop,
/// encode, decode, PNG) and compared pixel by pixel with the grid's outputs. Batches differ between the grid and here,
/// so float sums may round differently: a channel may differ by <see cref="Tolerance"/> levels, no more.
/// </summary>
public static class ReferenceReconstruction
{
    /// <summary>Largest difference of one channel of one pixel (0-255) between the grid's output and the reference.</summary>
    public const int Tolerance = 2;

    /// <summary>Problems, one per output that does not match its input's reconstruction (empty when all match).</summary>
    public static List<string> Compare(string bundlePath, IReadOnlyList<(string Input, string Output)> items, int batch = 16)
    {
        var problems = new List<string>();
        using var model = RaeModel.Load(bundlePath);
        foreach (var chunk in items.Chunk(batch))
        {
            using var scope = NewDisposeScope();
            var images = stack(chunk.Select(c => CenterCrop.Apply(ImageIO.Decode(File.ReadAllBytes(c.Input), c.Input), model.ImageSize)));
            var reconstructed = model.Decode(model.Encode(images).to(ScalarType.Float32));
            for (int j = 0; j < chunk.Length; j++)
            {
                var want = ImageResult.FromMemory(ImageIO.EncodePng(reconstructed[j]), ColorComponents.RedGreenBlue);
                var got = ImageResult.FromMemory(File.ReadAllBytes(chunk[j].Output), ColorComponents.RedGreenBlue);
                if ((got.Width, got.Height) != (want.Width, want.Height))
                {
                    problems.Add($"{Path.GetFileName(chunk[j].Output)}: {got.Width}×{got.Height}, the reference is {want.Width}×{want.Height}");
                    continue;
                }
                int worst = 0;
                for (int p = 0; p < want.Data.Length; p++) worst = Math.Max(worst, Math.Abs(want.Data[p] - got.Data[p]));
                if (worst > Tolerance)
                    problems.Add($"{Path.GetFileName(chunk[j].Output)}: differs from the in-process reconstruction of {Path.GetFileName(chunk[j].Input)} by up to {worst} levels (tolerance {Tolerance})");
            }
        }
        return problems;
    }
}
