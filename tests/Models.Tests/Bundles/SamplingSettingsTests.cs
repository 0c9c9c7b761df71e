using RAE.Grid.Models.Bundles;

namespace RAE.Grid.Models.Tests.Bundles;

/// <summary>
/// <see cref="SamplingSettings.Resolve"/> is the one place generation settings are completed from a bundle and checked;
/// bundle validation applies the same rules to the bundle's own defaults.
/// </summary>
public sealed class SamplingSettingsTests
{
    // A bundle's sampler and guidance sections (Resolve reads nothing else).
    static readonly RaeBundle Bundle = new()
    {
        Sampler = new SamplerSection { Params = new SamplerParams { NumSteps = 50, SamplingMethod = "euler" } },
        Guidance = new GuidanceSection
        {
            Method = "autoguidance", Scale = 1.5, TMin = 0.1, TMax = 0.9,
            GuidanceModel = new ModelSection { Ckpt = "weak.safetensors" },
        },
    };

    [Fact]
    public void Unset_fields_take_the_bundles_defaults() =>
        Assert.Equal(new SamplingSettings(50, "euler", "autoguidance", 1.5, 0.1, 0.9), new SamplingSettings().Resolve(Bundle));

    [Fact]
    public void A_method_alone_keeps_the_bundles_scale_and_interval() =>
        Assert.Equal(new SamplingSettings(50, "euler", "cfg", 1.5, 0.1, 0.9), new SamplingSettings(GuidanceMethod: "cfg").Resolve(Bundle));

    [Fact]
    public void Given_fields_win_and_names_become_canonical()
    {
        var resolved = new SamplingSettings(7, "Heun", "AG", 2.0, 0.0, 1.0).Resolve(Bundle);
        Assert.Equal(new SamplingSettings(7, "heun", "autoguidance", 2.0, 0.0, 1.0), resolved);
        Assert.Equal(resolved, resolved.Resolve(Bundle)); // resolving twice changes nothing
    }

    [Fact]
    public void Every_bad_field_is_named_in_one_error()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new SamplingSettings(1, "eulr", "bogus", double.NaN, -0.1, 1.5).Resolve(Bundle));
        foreach (var expected in new[] { "steps: must be at least 2", "sampler: 'eulr'", "guidance: 'bogus'", "scale: ", "t_min: ", "t_max: " })
            Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Autoguidance_in_effect_needs_the_bundles_weak_model()
    {
        var noWeak = Bundle with { Guidance = Bundle.Guidance with { GuidanceModel = null, Method = "cfg" } };
        Assert.Contains("guidance: autoguidance needs a weak model",
            Assert.Throws<ArgumentException>(() => new SamplingSettings(GuidanceMethod: "autoguidance").Resolve(noWeak)).Message);
        // A scale ≤ 1 is no guidance, so no weak model is needed.
        Assert.Equal(1.0, new SamplingSettings(GuidanceMethod: "autoguidance", GuidanceScale: 1.0).Resolve(noWeak).GuidanceScale);
    }

    [Fact]
    public void Bundle_validation_checks_its_defaults_with_the_same_rules_under_the_bundles_field_names()
    {
        var bad = Bundle with
        {
            Sampler = new SamplerSection { Params = new SamplerParams { SamplingMethod = "rk4" } },
            Guidance = Bundle.Guidance with { Method = "cfg", Scale = double.PositiveInfinity, TMax = 2 },
        };
        var problems = bad.Validate();
        Assert.Contains(problems, p => p.StartsWith("sampler.params.sampling_method: 'rk4'"));
        Assert.Contains(problems, p => p.StartsWith("guidance.scale: "));
        Assert.Contains(problems, p => p.StartsWith("guidance.t_max: must be in [0, 1]"));
    }
}
