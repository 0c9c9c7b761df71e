using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Tests.FlowMatching;

public class GuidanceTests
{
    private static (Tensor X, Tensor T, Tensor Y) DoubledBatch(float t0, float t1)
    {
        var x = arange(2 * 2 * 3 * 3, dtype: ScalarType.Float32).view(2, 2, 3, 3) / 10;
        var t = tensor(new[] { t0, t1 });
        var y = tensor(new long[] { 3, 7 });
        return (cat([x, x], 0), cat([t, t], 0), cat([y, full_like(y, 10)], 0));
    }

    [Fact]
    public void Cfg_mixes_conditional_and_null_velocities_by_the_scale()
    {
        var model = new ToyVelocityModel(a: 0.5, b: 0.1);
        var (x, t, y) = DoubledBatch(0.3f, 0.9f);
        var v = GuidedVelocity.ForwardWithCfg(model, x, t, y, scale: 1.5);
        var full = model.Velocity(x, t, y);
        var expected = full.narrow(0, 2, 2) + (full.narrow(0, 0, 2) - full.narrow(0, 2, 2)) * 1.5;
        Assert.True((v.narrow(0, 0, 2) - expected).abs().max().item<float>() < 1e-6);
        Assert.True((v.narrow(0, 2, 2) - expected).abs().max().item<float>() < 1e-6, "both halves carry the guided velocity");
    }

    [Fact]
    public void Cfg_outside_its_interval_returns_the_conditional_velocity()
    {
        var model = new ToyVelocityModel(a: 0.5, b: 0.1);
        var (x, t, y) = DoubledBatch(0.3f, 0.9f);
        var v = GuidedVelocity.ForwardWithCfg(model, x, t, y, scale: 4, tMin: 0.5, tMax: 1.0);
        var conditional = model.Velocity(x, t, y).narrow(0, 0, 2);
        Assert.True((v[0] - conditional[0]).abs().max().item<float>() == 0, "t = 0.3 lies outside [0.5, 1]");
        Assert.True((v[1] - conditional[1]).abs().max().item<float>() > 0.1, "t = 0.9 is guided");
    }

    [Fact]
    public void Autoguidance_with_the_same_model_as_weak_model_is_the_plain_velocity()
    {
        var model = new ToyVelocityModel(a: 0.5, b: 0.1);
        var (x, t, y) = DoubledBatch(0.3f, 0.9f);
        var v = GuidedVelocity.ForwardWithAutoguidance(model, model, x, t, y, scale: 1.42);
        Assert.True((v - model.Velocity(x, t, y)).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Autoguidance_extrapolates_from_the_weak_model_with_the_same_labels()
    {
        var main = new ToyVelocityModel(a: 0.5, b: 0.1);
        var weak = new ToyVelocityModel(a: 0.2, b: 0.3);
        var (x, t, y) = DoubledBatch(0.3f, 0.9f);
        var v = GuidedVelocity.ForwardWithAutoguidance(main, weak, x, t, y, scale: 2);
        var expected = weak.Velocity(x, t, y) + (main.Velocity(x, t, y) - weak.Velocity(x, t, y)) * 2;
        Assert.True((v - expected).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Scale_of_one_means_no_guidance_whatever_the_method()
    {
        Assert.Equal(GuidanceMethod.None, new GuidanceOptions(GuidanceMethod.Cfg, 1.0).Effective);
        Assert.Equal(GuidanceMethod.Cfg, new GuidanceOptions(GuidanceMethod.Cfg, 1.5).Effective);
    }

    [Fact]
    public void Autoguidance_without_a_weak_model_is_rejected() =>
        Assert.Contains("weak model",
            Assert.Throws<ArgumentException>(() => new GuidanceOptions(GuidanceMethod.AutoGuidance, 1.42).Validated()).Message);

    [Fact]
    public void Sampling_doubles_the_batch_with_null_labels_like_sample_py()
    {
        var model = new RecordingModel();
        var sampler = new ClassConditionalSampler(new EulerSampler(), tensor(new[] { 1f, 0.5f }));
        var result = sampler.Sample(model, ones(2, 1, 1, 1), tensor(new long[] { 4, 5 }), GuidanceOptions.None);
        Assert.Equal(new long[] { 4, 5, 10, 10 }, model.LastLabels);
        Assert.Equal(new long[] { 2, 1, 1, 1 }, result.shape);
    }

    [Fact]
    public void Sampling_can_skip_the_unused_null_half()
    {
        var model = new RecordingModel();
        var sampler = new ClassConditionalSampler(new EulerSampler(), tensor(new[] { 1f, 0.5f })) { DoubleBatchWithoutCfg = false };
        sampler.Sample(model, ones(2, 1, 1, 1), tensor(new long[] { 4, 5 }), GuidanceOptions.None);
        Assert.Equal(new long[] { 4, 5 }, model.LastLabels);
    }

    private sealed class RecordingModel : RAE.Grid.Models.Diffusion.IVelocityModel
    {
        public long[] LastLabels { get; private set; } = [];
        public int NumClasses => 10;
        public int InChannels => 1;
        public int InputSize => 1;
        public Tensor Velocity(Tensor x, Tensor t, Tensor y) { LastLabels = y.data<long>().ToArray(); return zeros_like(x); }
    }
}
