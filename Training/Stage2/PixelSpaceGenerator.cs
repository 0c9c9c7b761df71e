using RAE.Grid.Models.Bundles;
using RAE.Grid.Models.Bundles.Loading;
using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Diffusion;
using RAE.Grid.Models.FlowMatching;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Stage2;

/// <summary>
/// Samples images from a pixel-space DiT (the baseline): per-item seeded noise [3, H, W], the official shifted-grid
/// ODE solve with guidance (<see cref="ClassConditionalSampler"/>), then x ↦ (x + 1)/2 clamped to [0, 1]. Exposes
/// the same generator delegate as <see cref="Evaluation.ImageGenerators.ForBundle"/>, so an evaluator compares the two alike.
/// </summary>
public sealed class PixelSpaceGenerator(IVelocityModel model, double shift, int numSteps = SamplingGrid.OfficialSteps,
    GuidanceOptions? guidance = null, string samplingMethod = SamplerNames.Euler)
{
    /// <summary>The pixel-space velocity model.</summary>
    public IVelocityModel Model { get; } = model;
    /// <summary>Time-shift factor of the sampling grid (use the one the model was trained with).</summary>
    public double Shift { get; } = shift;
    /// <summary>Guidance (none by default).</summary>
    public GuidanceOptions Guidance { get; } = (guidance ?? GuidanceOptions.None).Validated();

    readonly ClassConditionalSampler _sampler = ClassConditionalSampler.Official(shift, numSteps, samplingMethod);

    /// <summary>Loads a model written by <see cref="DiTTraining"/> (section ckpt relative to <paramref name="baseDir"/>).</summary>
    public static IVelocityModel LoadModel(ModelSection section, string baseDir)
    {
        var module = Stage2Loader.Build(section.Target, section.Params!, "pixel");
        StateDictLoader.LoadFrozen(module, Checkpoint.ReadStateDict(Path.Combine(baseDir, section.Ckpt)), section.Ckpt);
        return (IVelocityModel)module;
    }

    /// <summary>Images [B, 3, H, W] in [0, 1] (float32, CPU) for <paramref name="labels"/>; item i's noise depends on (seed, i).</summary>
    public Tensor Generate(long[] labels, long seed)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        long[] shape = [Model.InChannels, Model.InputSize, Model.InputSize];
        var xT = ItemNoise.ForItems(seed, Enumerable.Range(0, labels.Length).Select(i => (long)i).ToArray(), shape);
        var x = _sampler.Sample(Model, xT, tensor(labels, ScalarType.Int64), Guidance);
        return Stage2Inputs.PixelsToImages(x).to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>The common generator delegate: (labels, seed) → images [B, 3, H, W] in [0, 1].</summary>
    public Func<long[], long, Tensor> AsDelegate() => Generate;
}
