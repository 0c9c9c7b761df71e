using RAE.Grid.Models.Verifiers;

namespace RAE.Grid.Training.Verifiers;

/// <summary>A trained class probe and how well it classifies clean encoder latents.</summary>
/// <param name="Probe">The probe (dispose it when done).</param>
/// <param name="TrainAccuracy">Accuracy on the (clean) train latents it was fitted to.</param>
/// <param name="TestAccuracy">Accuracy on held-out test-split latents.</param>
/// <param name="TrainImages">Train images used.</param>
/// <param name="TestImages">Test images measured.</param>
/// <param name="Seconds">Wall time, encoding included.</param>
public sealed record ProbeTrainingResult(ClassProbeVerifier Probe, double TrainAccuracy, double TestAccuracy, int TrainImages,
    int TestImages, double Seconds);
