namespace RAE.Grid.Models.Decoders;

/// <summary>
/// The official decoder sizes (configs/decoder/ViTB, ViTL, ViTXL). Each preset equals the record parsed from the
/// released config.json, placeholders included (hidden_size 768, patch 16, image 224); apply
/// <see cref="DecoderConfig.ForRae"/> for a concrete encoder. All released RAE decoders are ViT-XL.
/// </summary>
public static class DecoderPresets
{
    /// <summary>ViT-B: width 768, 12 layers, 12 heads, MLP 3072.</summary>
    public static DecoderConfig ViTB => new(768, 12, 12, 3072);

    /// <summary>ViT-L: width 1024, 24 layers, 16 heads, MLP 4096.</summary>
    public static DecoderConfig ViTL => new(1024, 24, 16, 4096);

    /// <summary>ViT-XL: width 1152, 28 layers, 16 heads, MLP 4096.</summary>
    public static DecoderConfig ViTXL => new(1152, 28, 16, 4096);

    /// <summary>Preset by name: "ViT-B"/"ViTB", "ViT-L"/"ViTL", "ViT-XL"/"ViTXL" (case-insensitive).</summary>
    public static DecoderConfig Get(string name) => name.Replace("-", "").Replace("_", "").ToUpperInvariant() switch
    {
        "VITB" => ViTB,
        "VITL" => ViTL,
        "VITXL" => ViTXL,
        _ => throw new ArgumentException($"unknown decoder preset '{name}' (known: ViT-B, ViT-L, ViT-XL)", nameof(name)),
    };
}
