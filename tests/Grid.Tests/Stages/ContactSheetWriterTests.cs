using RAE.Grid.Grains.Jobs;
using RAE.Grid.Grains.Stages;
using RAE.Grid.Grains.Storage;
using RAE.Grid.Grid.Tests.Cluster;
using RAE.Grid.Models.Imaging;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>
/// The contact sheet a decoder stage writes for a job is the one the job grain used to build itself: the named images
/// read from the store in order, the missing and undecodable left out, laid out by <see cref="ContactSheet"/>.
/// </summary>
public sealed class ContactSheetWriterTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rae-sheet-").FullName;
    readonly LocalDirectoryStore _store;

    public ContactSheetWriterTests() => _store = new LocalDirectoryStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_sheet_is_byte_for_byte_the_model_librarys_sheet_of_the_readable_images_in_order()
    {
        var pngs = TestInputs.RandomPngs(3, seed: 5);
        foreach (var png in pngs) await _store.PutAsync($"jobs/j/{png.Name}", png.Inline!, "image/png");
        await _store.PutAsync("jobs/j/broken.png", "not a png"u8.ToArray(), "image/png");
        string[] names = ["jobs/j/img-02.png", "jobs/j/missing.png", "jobs/j/broken.png", "jobs/j/img-00.png", "jobs/j/img-01.png"];

        Assert.True(await ContactSheetWriter.WriteAsync(_store, "jobs/j/contact-sheet.png", names, JobOutputs.ThumbnailSide, default));

        var expected = ContactSheet.Png([("jobs/j/img-02.png", pngs[2].Inline!), ("jobs/j/broken.png", "not a png"u8.ToArray()),
            ("jobs/j/img-00.png", pngs[0].Inline!), ("jobs/j/img-01.png", pngs[1].Inline!)], JobOutputs.ThumbnailSide);
        Assert.Equal(expected, await _store.GetAsync("jobs/j/contact-sheet.png"));
        Assert.Equal((3 * 130 + 2, 130 + 2), TestInputs.PngSize(expected!)); // three 128-pixel thumbnails, 2-pixel gaps
    }

    [Fact]
    public async Task Nothing_is_written_when_no_image_can_be_read()
    {
        await _store.PutAsync("jobs/j/broken.png", "not a png"u8.ToArray(), "image/png");
        Assert.False(await ContactSheetWriter.WriteAsync(_store, "jobs/j/contact-sheet.png", ["jobs/j/broken.png", "jobs/j/gone.png"], 128, default));
        Assert.False(await ContactSheetWriter.WriteAsync(_store, "jobs/j/contact-sheet.png", [], 128, default));
        Assert.False(await _store.ExistsAsync("jobs/j/contact-sheet.png"));
    }
}
