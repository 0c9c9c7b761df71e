using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Models.Encoders.Dinov2;

#pragma warning disable IDE1006 // field names mirror HF checkpoint keys

/// <summary>Patch embedding: a stride-p convolution (<c>patch_embeddings.projection</c>), flattened row-major.</summary>
public sealed class Dinov2WithRegistersPatchEmbeddings : Module<Tensor, Tensor>
{
    public readonly Conv2d projection;

    public Dinov2WithRegistersPatchEmbeddings(Dinov2WithRegistersConfig config) : base("Dinov2WithRegistersPatchEmbeddings")
    {
        projection = Conv2d(config.NumChannels, config.HiddenSize, config.PatchSize, stride: config.PatchSize);
        RegisterComponents();
    }

    /// <summary>[B,C,H,W] → [B, (H/p)·(W/p), D].</summary>
    public override Tensor forward(Tensor pixels) => projection.forward(pixels).flatten(2).transpose(1, 2);
}
