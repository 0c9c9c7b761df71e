using Orleans.Runtime;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grid.Tests.Operations;

/// <summary>
/// Grid:Devices and Grid:InstancesPerDevice: today's one-device configuration keeps one replica, replicas go round the
/// devices first, every bad entry is named by its index, and replica indices survive the stage grain key.
/// </summary>
public sealed class DeviceSettingsTests
{
    static GridOptions Options(string[]? devices = null, int instances = 1) =>
        new() { Stages = [], Device = "cpu", Devices = devices, InstancesPerDevice = instances };

    [Fact]
    public void Without_devices_a_silo_runs_one_replica_on_its_device()
    {
        var o = Options();
        Assert.Equal(["cpu"], o.DeviceList);
        Assert.Equal(1, o.ReplicaCount);
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void Replicas_go_round_the_devices_before_a_second_instance_on_any()
    {
        var o = Options(["cuda:0", "cuda:1"], instances: 2);
        Assert.Equal(4, o.ReplicaCount);
        Assert.Equal(["cuda:0", "cuda:1", "cuda:0", "cuda:1"], Enumerable.Range(0, 4).Select(o.DeviceOf));
    }

    [Fact]
    public void Every_bad_device_entry_and_instance_count_is_named()
    {
        var problems = Options(["cpu", "gpu7", "cuda:x"], instances: GridOptions.MaxInstancesPerDevice + 1).Validate();
        Assert.Contains(problems, p => p.StartsWith("Grid.Devices[1].device: 'gpu7'"));
        Assert.Contains(problems, p => p.StartsWith("Grid.Devices[2].device: 'cuda:x'"));
        Assert.DoesNotContain(problems, p => p.StartsWith("Grid.Devices[0]"));
        Assert.Contains(problems, p => p.StartsWith("Grid.InstancesPerDevice: must be between 1 and 16"));
        Assert.Contains(Options(instances: 0).Validate(), p => p.StartsWith("Grid.InstancesPerDevice"));
    }

    [Fact]
    public void A_bundle_id_may_not_hold_the_replica_separator()
    {
        var o = Options();
        o.Bundles["a#1"] = "missing.json";
        Assert.Contains(o.Validate(), p => p.StartsWith("Grid.Bundles: bundle id 'a#1' must be non-empty without '@', '/' or '#'"));
    }

    [Fact]
    public void Stage_keys_carry_the_replica_and_keep_the_one_device_form_for_replica_zero()
    {
        var silo = SiloAddress.FromParsableString("127.0.0.1:11111@42");
        Assert.Equal("tiny@127.0.0.1:11111@42", StageKeys.For("tiny", silo));
        var key = StageKeys.For("tiny", new StageHost(silo, 3));
        Assert.Equal("tiny#3@127.0.0.1:11111@42", key);
        Assert.Equal(("tiny", 3, silo), (StageKeys.Bundle(key), StageKeys.Replica(key), StageKeys.Silo(key)));
        Assert.Equal(0, StageKeys.Replica(StageKeys.For("tiny", silo)));
        Assert.Throws<ArgumentException>(() => StageKeys.Replica("tiny#x@127.0.0.1:11111@42"));
    }
}
