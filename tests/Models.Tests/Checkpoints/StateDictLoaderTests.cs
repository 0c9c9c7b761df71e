using RAE.Grid.Models.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

#pragma warning disable IDE1006 // fields named like checkpoint keys

namespace RAE.Grid.Models.Tests.Checkpoints;

public class StateDictLoaderTests
{
    /// <summary>A tiny module with a nested child and a buffer: keys proj.weight, proj.bias, norm.weight, norm.bias, scale.</summary>
    private sealed class Tiny : nn.Module<Tensor, Tensor>
    {
        public readonly Linear proj = nn.Linear(3, 4);
        public readonly LayerNorm norm = nn.LayerNorm(4);
        public readonly Parameter scale = nn.Parameter(ones(4));

        public Tiny() : base("Tiny") => RegisterComponents();

        public override Tensor forward(Tensor x) => norm.forward(proj.forward(x)) * scale;
    }

    private static Dictionary<string, Tensor> Matching() => new()
    {
        ["proj.weight"] = randn(4, 3), ["proj.bias"] = randn(4),
        ["norm.weight"] = randn(4), ["norm.bias"] = randn(4), ["scale"] = randn(4),
    };

    [Fact]
    public void A_matching_state_dict_is_copied_into_every_parameter()
    {
        using var scope = NewDisposeScope();
        var m = new Tiny();
        var sd = Matching();
        sd["proj.weight"] = sd["proj.weight"].to(ScalarType.Float64); // converted to the parameter's dtype
        StateDictLoader.Load(m, sd, "test");
        foreach (var (k, t) in m.state_dict())
            Assert.True(t.to(ScalarType.Float64).Equals(sd[k].to(ScalarType.Float64)), k);
        Assert.Equal(ScalarType.Float32, m.proj.weight!.dtype);
    }

    [Fact]
    public void Missing_unexpected_and_mis_shaped_keys_are_all_reported_in_one_exception()
    {
        using var scope = NewDisposeScope();
        var m = new Tiny();
        var before = m.proj.bias!.clone();
        var sd = Matching();
        sd.Remove("norm.bias");                 // missing
        sd.Remove("scale");                     // missing
        sd["extra.weight"] = randn(2);          // unexpected
        sd["proj.weight"] = randn(3, 4);        // mis-shaped
        var e = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(m, sd, "ckpt.pt"));
        Assert.Equal(["norm.bias", "scale"], e.Missing);
        Assert.Equal(["extra.weight"], e.Unexpected);
        Assert.Single(e.MisShaped);
        foreach (var key in new[] { "norm.bias", "scale", "extra.weight", "proj.weight", "ckpt.pt" })
            Assert.Contains(key, e.Message);
        Assert.Contains("[3,4]", e.Message);
        Assert.Contains("[4,3]", e.Message);
        // Nothing was copied: a failed load leaves the module as it was.
        Assert.True(m.proj.bias!.Equals(before));
    }

    [Fact]
    public void Unexpected_keys_can_be_ignored_and_optional_keys_may_be_absent()
    {
        using var scope = NewDisposeScope();
        var m = new Tiny();
        var sd = Matching();
        sd.Remove("scale");
        sd["decoder.extra"] = randn(5);
        StateDictLoader.Load(m, sd, "test", ignoreUnexpected: true, optional: ["scale"]);
        Assert.True(m.proj.weight!.Equals(sd["proj.weight"]));
        Assert.True(m.scale.Equals(ones(4)));
    }
}
