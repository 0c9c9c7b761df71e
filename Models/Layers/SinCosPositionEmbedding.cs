using static TorchSharp.torch;

namespace RAE.Grid.Models.Layers;

/// <summary>
/// The fixed 2-D sin-cos position table of MAE/DiT (get_2d_sincos_pos_embed). Built in float64 and cast to float32,
/// as the official code does, so it matches checkpoint tables bit for bit. The meshgrid puts w first, so the
/// first half of the channels encodes the column index and the second half the row index; each half is
/// [sin(pos·ω), cos(pos·ω)] with ω_i = 1/10000^(i/(D/4)).
/// </summary>
public static class SinCosPositionEmbedding
{
    /// <summary>Table of shape [gridSize², dim] (plus a leading zero row when <paramref name="clsToken"/>).</summary>
    public static Tensor Build(int dim, int gridSize, bool clsToken = false)
    {
        if (dim % 4 != 0) throw new ArgumentException($"sin-cos embedding dim {dim} must be divisible by 4");
        int quarter = dim / 4, n = gridSize * gridSize, rows = n + (clsToken ? 1 : 0);
        var table = new double[rows * dim];
        var omega = new double[quarter];
        for (int i = 0; i < quarter; i++) omega[i] = 1.0 / Math.Pow(10000.0, i / (double)quarter);
        for (int h = 0; h < gridSize; h++)
        for (int w = 0; w < gridSize; w++)
        {
            int row = (clsToken ? 1 : 0) + h * gridSize + w;
            var baseIdx = row * dim;
            for (int i = 0; i < quarter; i++)
            {
                // first half: column (w); second half: row (h)
                table[baseIdx + i] = Math.Sin(w * omega[i]);
                table[baseIdx + quarter + i] = Math.Cos(w * omega[i]);
                table[baseIdx + 2 * quarter + i] = Math.Sin(h * omega[i]);
                table[baseIdx + 3 * quarter + i] = Math.Cos(h * omega[i]);
            }
        }
        return tensor(table, [rows, dim], ScalarType.Float64).to(ScalarType.Float32);
    }
}
