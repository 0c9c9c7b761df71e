using RAE.Grid.Grains.Storage;
using RAE.Grid.Models.Imaging;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Makes a job's contact sheet where the pixels are allowed (a decoder stage, <see cref="DecoderStageGrain"/>): reads the
/// named images from the store, lays them out with <see cref="ContactSheet"/> and writes the PNG. The job grain only
/// chooses the names, so no image passes through the control plane.
/// </summary>
public static class ContactSheetWriter
{
    /// <summary>
    /// Writes the sheet of <paramref name="images"/> (store names, in order; missing or undecodable ones are left out) with
    /// thumbnails of <paramref name="thumbnailSide"/> pixels to <paramref name="output"/>; false, writing nothing, when no
    /// image could be read.
    /// </summary>
    public static async Task<bool> WriteAsync(IOutputStore store, string output, IReadOnlyList<string> images, int thumbnailSide, CancellationToken ct)
    {
        var encoded = new List<(string Name, byte[] Bytes)>();
        foreach (var name in images)
            if (await store.GetAsync(name, ct) is { } bytes) encoded.Add((name, bytes));
        if (encoded.Count == 0) return false;
        // Off the Orleans scheduler: decoding and resizing up to a sheet's worth of images is CPU work.
        var sheet = await Task.Run(() => ContactSheet.Png(encoded, thumbnailSide), ct);
        if (sheet is null) return false;
        await store.PutAsync(output, sheet, "image/png", ct);
        return true;
    }
}
