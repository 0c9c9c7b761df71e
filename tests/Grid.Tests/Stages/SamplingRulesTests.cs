using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Stages;
using RAE.Grid.Grid.Tests.MultiProcess;
using RAE.Grid.Models.Bundles;

namespace RAE.Grid.Grid.Tests.Stages;

/// <summary>
/// One rule set resolves class and prompt requests against their bundle (files only, no model) and the request limits:
/// one lower bound per field and kind, each bad value named by its field.
/// </summary>
public sealed class SamplingRulesTests
{
    static readonly RaeBundle Tiny = RaeBundle.Load(Path.Combine(GridCli.RepositoryRoot(), "bundles", "tiny", "bundle.json"));
    static readonly RaeBundle TinyT2I = RaeBundle.Load(Path.Combine(GridCli.RepositoryRoot(), "bundles", "tiny-t2i", "bundle.json"));

    static SamplingSpec Class(SamplingSpec s, RequestLimits? limits = null) => SamplingRules.Resolve(s, Tiny, "tiny", prompted: false, limits ?? new());
    static SamplingSpec Prompted(SamplingSpec s, RequestLimits? limits = null) => SamplingRules.Resolve(s, TinyT2I, "tiny-t2i", prompted: true, limits ?? new());
    static string ClassProblem(SamplingSpec s) => Assert.Throws<ArgumentException>(() => Class(s)).Message;
    static string PromptedProblem(SamplingSpec s) => Assert.Throws<ArgumentException>(() => Prompted(s)).Message;

    [Fact]
    public void A_class_request_takes_the_bundles_sampler_and_guidance_where_unset_and_resolves_to_itself()
    {
        var resolved = Class(new SamplingSpec(Steps: 3));
        Assert.Equal(new SamplingSpec(3, "euler", "autoguidance", 1.42, 0, 1), resolved);
        Assert.Equal(resolved, Class(resolved));
        Assert.Equal("cfg", Class(new SamplingSpec(Guidance: "CFG")).Guidance);
    }

    [Fact]
    public void A_prompt_request_takes_the_bundles_t2i_sampler_and_resolves_to_itself()
    {
        var resolved = Prompted(SamplingSpec.BundleDefaults);
        Assert.Equal(new SamplingSpec(50, "euler", "none", 1.0), resolved);
        Assert.Equal(resolved, Prompted(resolved));
        var cfg = Prompted(new SamplingSpec(Scale: 3));
        Assert.Equal(("cfg", 3.0), (cfg.Guidance, cfg.Scale));
        Assert.Equal(3.0, SamplingRules.CfgScale(cfg));
        Assert.Equal(1.0, SamplingRules.CfgScale(Prompted(new SamplingSpec(Guidance: "none", Scale: 3))));
    }

    [Fact]
    public void The_guidance_scale_has_one_lower_bound_per_kind_zero_for_classes_one_for_prompts()
    {
        Assert.Equal(0.5, Class(new SamplingSpec(Scale: 0.5)).Scale); // in [0, 1]: no guidance
        Assert.Equal(0.0, Class(new SamplingSpec(Scale: 0)).Scale);
        Assert.Equal("scale: must be a finite number >= 0, got -1", ClassProblem(new SamplingSpec(Scale: -1)));
        Assert.Contains("scale: must be a finite number >= 0, got NaN", ClassProblem(new SamplingSpec(Scale: double.NaN)));
        Assert.Equal(1.0, Prompted(new SamplingSpec(Scale: 1)).Scale);
        Assert.Equal("scale: must be a finite number >= 1 (1: no guidance), got 0.5", PromptedProblem(new SamplingSpec(Scale: 0.5)));
        Assert.Contains("scale: must be a finite number >= 1", PromptedProblem(new SamplingSpec(Scale: double.PositiveInfinity)));
    }

    [Fact]
    public void Steps_have_one_lower_bound_per_sampler()
    {
        Assert.Equal("steps: must be at least 2, got 1", ClassProblem(new SamplingSpec(Steps: 1)));
        Assert.Equal(1, Prompted(new SamplingSpec(Steps: 1)).Steps);
        Assert.Equal("steps: must be at least 1, got 0", PromptedProblem(new SamplingSpec(Steps: 0)));
        Assert.Equal("steps: the official loop needs at least 2, got 1", PromptedProblem(new SamplingSpec(Steps: 1, Sampler: "official-loop")));
    }

    [Fact]
    public void Fields_a_prompt_request_cannot_use_are_named()
    {
        Assert.Equal("guidance: 'autoguidance' is not one of none, cfg (text-to-image has no weak model)",
            PromptedProblem(new SamplingSpec(Guidance: "autoguidance")));
        Assert.Equal("t_min/t_max: text-to-image guidance has no interval; leave them unset", PromptedProblem(new SamplingSpec(TMin: 0.1)));
        Assert.StartsWith("sampler: 'heun' is not one of", PromptedProblem(new SamplingSpec(Sampler: "heun")));
        Assert.Equal("t_min: must be in [0, 1], got 2", ClassProblem(new SamplingSpec(TMin: 2)));
        Assert.Equal("guidance: 'bogus' is not one of none, cfg, autoguidance", ClassProblem(new SamplingSpec(Guidance: "bogus")));
    }

    [Fact]
    public void Each_kind_of_request_needs_a_bundle_of_its_kind()
    {
        Assert.Equal("bundle 'tiny-t2i' is text-to-image (it has a t2i section): give prompts, not classes",
            Assert.Throws<ArgumentException>(() => SamplingRules.Resolve(SamplingSpec.BundleDefaults, TinyT2I, "tiny-t2i", prompted: false, new())).Message);
        Assert.Equal("bundle 'tiny' has no t2i section: prompts need a text-to-image bundle",
            Assert.Throws<ArgumentException>(() => SamplingRules.Resolve(SamplingSpec.BundleDefaults, Tiny, "tiny", prompted: true, new())).Message);
    }

    [Fact]
    public void The_request_limits_bound_requested_and_resolved_values_with_any_other_problem_in_one_message()
    {
        Assert.Equal("steps: 1001 is over MaxSteps 1000", ClassProblem(new SamplingSpec(Steps: 1001)));
        Assert.Equal("scale: 1000000 is over MaxGuidanceScale 100", ClassProblem(new SamplingSpec(Guidance: "cfg", Scale: 1e6)));
        // A prompt request without guidance samples at scale 1, but the scale it asked for is still over the limit.
        Assert.Equal("scale: 500 is over MaxGuidanceScale 100", PromptedProblem(new SamplingSpec(Guidance: "none", Scale: 500)));
        // The bundle's default (50 steps) over a limit is as bad as a request over it.
        Assert.Equal("steps: 50 is over MaxSteps 10", Assert.Throws<ArgumentException>(() => Class(SamplingSpec.BundleDefaults, new RequestLimits { MaxSteps = 10 })).Message);
        Assert.Equal("steps: 1001 is over MaxSteps 1000; sampler: 'eulr' is not one of euler, heun",
            ClassProblem(new SamplingSpec(Steps: 1001, Sampler: "eulr")));
    }
}
