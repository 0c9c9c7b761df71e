using System.Diagnostics;
using StbImageWriteSharp;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// <see cref="MultiProcessGridTests"/> on Redis (membership, job state, reminders), plus the large reconstruction: its
/// subject is the message size limit and the streamed upload, not the backend, so it runs on one backend only.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class RedisMultiProcessGridTests(TwoSiloCluster fixture) : MultiProcessGridTests(fixture), IClassFixture<TwoSiloCluster>
{
    /// <summary>Incompressible input images of the large reconstruction: together over Orleans' 100 MiB message limit.</summary>
    const int LargeImages = 460;
    const int LargeSide = 280;
    const long OrleansMessageLimit = 100L * 1024 * 1024;

    [Fact]
    public Task Reconstruction_of_a_folder_larger_than_one_Orleans_message_streams_its_inputs_and_every_output_matches_an_in_process_reconstruction() => Checked(async () =>
    {
        var inputDir = Directory.CreateDirectory(Path.Combine(Cluster.WorkDir, "large-inputs")).FullName;
        var names = WriteNoiseImages(inputDir, LargeImages, LargeSide);
        var inputBytes = names.Sum(n => new FileInfo(Path.Combine(inputDir, n)).Length);
        Assert.True(inputBytes > OrleansMessageLimit, $"the inputs are {inputBytes} bytes, not over the {OrleansMessageLimit}-byte message limit");
        var outDir = Path.Combine(Cluster.WorkDir, "large-out");

        var clock = Stopwatch.StartNew();
        var (client, code) = await Cluster.RunClientAsync("client-large", ClientTimeout, "reconstruct", inputDir, "--bundle", "tiny", "--out", outDir);
        AssertExitedCleanly(client, code);

        var ordered = names.Order(StringComparer.Ordinal).ToList();
        var expected = ordered.Select((n, i) => new ExpectedItem(i, n, $"{i:D5}_{Path.GetFileNameWithoutExtension(n)}.png")).ToList();
        var check = new JobOutputCheck("Reconstruct", expected, Side);
        await check.RunAsync(outDir, Cluster.Store);
        // Every output is the reconstruction of its own input: the same bundle run here gives the same pixels.
        check.Problems.AddRange(ReferenceReconstruction.Compare(Path.Combine(Cluster.Repo, "bundles", "tiny", "bundle.json"),
            expected.Select(e => (Path.Combine(inputDir, e.Input), Path.Combine(outDir, e.OutputName))).ToList()));
        // The inputs went to the store content-addressed, once each, not inline in the request.
        var uploaded = 0;
        await foreach (var _ in Cluster.Store.ListAsync("uploads/sha256/")) uploaded++;
        if (uploaded < LargeImages) check.Problems.Add($"{uploaded} uploaded inputs under uploads/sha256/, expected at least {LargeImages}");
        Report(check.Problems, $"reconstruction job {check.JobId} ({LargeImages} images, {inputBytes / 1e6:F0} MB of input, {clock.Elapsed.TotalSeconds:F1} s)");
    });

    /// <summary>Seeded RGB noise PNGs (<paramref name="side"/>², incompressible: each file is about its raw size). Returns the file names.</summary>
    static List<string> WriteNoiseImages(string dir, int count, int side)
    {
        var names = new List<string>();
        var writer = new ImageWriter();
        var random = new Random(91);
        var pixels = new byte[side * side * 3];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(pixels);
            var name = $"noise-{i:D4}.png";
            using (var file = File.Create(Path.Combine(dir, name))) writer.WritePng(pixels, side, side, ColorComponents.RedGreenBlue, file);
            names.Add(name);
        }
        return names;
    }
}
