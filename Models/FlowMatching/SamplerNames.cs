namespace RAE.Grid.Models.FlowMatching;

/// <summary>
/// The sampler names, defined once: as bundles (<c>sampler.params.sampling_method</c>, <c>t2i.sampler.method</c>),
/// job requests and the CLI's <c>--sampler</c> spell them, and the solver each one means. Class-conditional jobs solve
/// the probability-flow ODE (<see cref="Ode"/>); Scale-RAE's diffusion head has its own pair (<see cref="TextToImage"/>).
/// </summary>
public static class SamplerNames
{
    /// <summary>Fixed-grid Euler (the official sampler; also Scale-RAE's recommended one).</summary>
    public const string Euler = "euler";

    /// <summary>Fixed-grid Heun (an option of the official code).</summary>
    public const string Heun = "heun";

    /// <summary>torchdiffeq's spelling of Heun's method, accepted by <see cref="OdeSolver"/> as <see cref="Heun"/>.</summary>
    public const string Heun2 = "heun2";

    /// <summary>Scale-RAE's official <c>p_sample_loop</c> with its quirks.</summary>
    public const string OfficialLoop = "official-loop";

    /// <summary>ODE methods a bundle's <c>sampler.params.sampling_method</c> and a class-conditional request accept.</summary>
    public static readonly string[] Ode = [Euler, Heun];

    /// <summary>Methods a bundle's <c>t2i.sampler.method</c> and a prompted request accept.</summary>
    public static readonly string[] TextToImage = [Euler, OfficialLoop];

    /// <summary>The fixed-grid solver an ODE method name means (any case; <see cref="Heun2"/> as <see cref="Heun"/>).</summary>
    public static IFlowOdeSampler OdeSolver(string samplingMethod) => samplingMethod.ToLowerInvariant() switch
    {
        Euler => new EulerSampler(),
        Heun or Heun2 => new HeunSampler(),
        _ => throw new ArgumentException($"sampling_method '{samplingMethod}' is not supported ({string.Join(", ", Ode)})"),
    };

    /// <summary>
    /// The Scale-RAE head sampler a text-to-image method name means (exact spelling); an unknown name is an
    /// <see cref="ArgumentException"/> naming <paramref name="field"/>.
    /// </summary>
    public static ScaleRaeSampler TextToImageSampler(string method, string field) => method switch
    {
        Euler => ScaleRaeSampler.Euler,
        OfficialLoop => ScaleRaeSampler.OfficialLoop,
        _ => throw new ArgumentException($"{field}: '{method}' is not one of {string.Join(", ", TextToImage)}"),
    };
}
