using System.Text;
using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>
/// Whatever an item's values, a job's manifest can be written: System.Text.Json refuses NaN and Infinity by default,
/// which once left a job unable to finish (its manifest never written, the CLI watching forever).
/// </summary>
public sealed class ManifestJsonTests
{
    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void A_manifest_with_non_finite_settings_serialises(double value, string written)
    {
        var state = new JobGrainState
        {
            JobId = "nan-job", Kind = JobKind.Generate, BundleId = "tiny", OutputPrefix = "jobs/nan-job", Total = 2, Partitions = 1,
            PartitionSize = 2, Created = DateTimeOffset.UnixEpoch,
            Generate = new GenerateSpec([1], 2, 0, new SamplingSpec(Steps: 3, Sampler: "euler", Guidance: "cfg", Scale: value, TMin: value, TMax: value)),
        };
        var bytes = JobOutputs.Manifest(state, JobState.CompletedWithErrors, DateTimeOffset.UnixEpoch);
        var settings = JsonDocument.Parse(bytes).RootElement.GetProperty("settings");
        foreach (var field in new[] { "scale", "t_min", "t_max" })
            Assert.Equal(written, settings.GetProperty(field).GetString());
        Assert.Contains($"\"scale\": \"{written}\"", Encoding.UTF8.GetString(bytes));
    }
}
