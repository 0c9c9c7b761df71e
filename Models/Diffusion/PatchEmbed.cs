using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Diffusion;

#pragma warning disable IDE1006 // field names mirror checkpoint keys

/// <summary>
/// timm <c>PatchEmbed</c>: a p×p stride-p convolution <c>proj</c>, flattened to tokens [B, (H/p)·(W/p), hidden] in
/// row-major order. The input must have the configured size, as timm checks.
/// </summary>
public sealed class PatchEmbed : Module<Tensor, Tensor>
{
    public readonly Conv2d proj;

    public int InputSize { get; }
    public int PatchSize { get; }
    /// <summary>Tokens per side, input_size / patch_size.</summary>
    public int GridSize => InputSize / PatchSize;
    /// <summary>Number of tokens, GridSize².</summary>
    public int NumPatches => GridSize * GridSize;

    public PatchEmbed(int inputSize, int patchSize, int inChannels, int hiddenSize) : base("PatchEmbed")
    {
        if (patchSize <= 0 || inputSize % patchSize != 0)
            throw new ArgumentException($"input_size {inputSize} is not divisible by patch_size {patchSize}");
        InputSize = inputSize;
        PatchSize = patchSize;
        proj = Conv2d(inChannels, hiddenSize, kernel_size: patchSize, stride: patchSize, bias: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[2] != InputSize || x.shape[3] != InputSize)
            throw new ArgumentException(
                $"expected input [B, C, {InputSize}, {InputSize}], got [{string.Join(", ", x.shape)}]");
        using var scope = NewDisposeScope();
        // Contiguous tokens: timm keeps the transposed view, and every residual add then carries its strides, which made
        // each DiT block about 2x slower on CPU (tests/Benchmarks anatomy). Same values, row-major layout.
        return proj.forward(x).flatten(2).transpose(1, 2).contiguous().MoveToOuterDisposeScope();
    }
}
