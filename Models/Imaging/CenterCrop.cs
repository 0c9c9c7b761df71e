using static TorchSharp.torch;

namespace RAE.Grid.Models.Imaging;

/// <summary>
/// Brings an arbitrary image to the RAE's square input size the way the official data pipeline does in spirit
/// (ADM center crop): scale so the shorter side equals the size (bicubic, antialiased when shrinking), then crop
/// the centre. Images already at the size pass through untouched.
/// </summary>
public static class CenterCrop
{
    /// <summary>[3,H,W] or [B,3,H,W] in [0,1] → same rank at size×size.</summary>
    public static Tensor Apply(Tensor image, int size)
    {
        bool batched = image.dim() == 4;
        var x = batched ? image : image.unsqueeze(0);
        long h = x.shape[2], w = x.shape[3];
        if (h == size && w == size) return image;
        double scale = (double)size / Math.Min(h, w);
        long nh = Math.Max(size, (long)Math.Round(h * scale)), nw = Math.Max(size, (long)Math.Round(w * scale));
        if (nh != h || nw != w)
            x = nn.functional.interpolate(x, [nh, nw], mode: InterpolationMode.Bicubic, align_corners: false,
                antialias: scale < 1).clamp(0, 1);
        long top = (nh - size) / 2, left = (nw - size) / 2;
        x = x.narrow(2, top, size).narrow(3, left, size);
        return batched ? x : x.squeeze(0);
    }
}
