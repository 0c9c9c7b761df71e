using Microsoft.Extensions.Configuration;
using RAE.Grid.Silo;

namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>The Metrics section is validated at start-up with the other sections; each problem names its field.</summary>
public sealed class MetricsSettingsTests
{
    static string Problems(params (string Key, string Value)[] settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["Grid:Stages"] = "none", ["Health:Port"] = "9100" }
                .Concat(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))).Build();
        var e = Assert.Throws<GridConfigurationException>(() => GridSilo.ReadSettings(config, Path.GetTempPath()));
        return e.Message;
    }

    [Theory]
    [InlineData("Metrics:Port", "70000", "Metrics.Port: 70000 is not a port")]
    [InlineData("Metrics:Port", "9100", "Metrics.Port: 9100 is also Health.Port")]
    [InlineData("Metrics:Host", "no host!", "Metrics.Host: 'no host!'")]
    [InlineData("Metrics:OtlpEndpoint", "collector:4317", "Metrics.OtlpEndpoint: 'collector:4317' is not an absolute http(s) URI")]
    [InlineData("Metrics:OtlpProtocol", "udp", "Metrics.OtlpProtocol: 'udp' is not grpc or http/protobuf")]
    [InlineData("Metrics:OtlpExportIntervalMs", "0", "Metrics.OtlpExportIntervalMs: 0 is not between 100 and 3600000")]
    public void A_bad_metrics_setting_fails_start_up_naming_its_field(string key, string value, string expected) =>
        Assert.Contains(expected, Problems((key, value)));

    [Fact]
    public void The_defaults_export_nothing_and_listen_on_loopback_only()
    {
        var settings = MetricsSettings.Read(new ConfigurationBuilder().Build());
        Assert.Equal(0, settings.Port);
        Assert.Equal("127.0.0.1", settings.Host);
        Assert.Null(settings.OtlpEndpoint);
        Assert.False(settings.Exports);
        Assert.Empty(settings.Validate(healthPort: 0));
    }

    [Fact]
    public void RAEGRID_environment_variables_set_the_metrics_port_as_the_silo_host_reads_them()
    {
        // The prefix mapping the CLI's host uses (RAEGRID_Section__Key), on a variable name of this test's own.
        var name = $"RAEGRIDTEST{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(name + "Metrics__Port", "9464");
        try
        {
            var config = new ConfigurationBuilder().AddEnvironmentVariables(name).Build();
            Assert.Equal(9464, MetricsSettings.Read(config).Port);
        }
        finally { Environment.SetEnvironmentVariable(name + "Metrics__Port", null); }
    }
}
