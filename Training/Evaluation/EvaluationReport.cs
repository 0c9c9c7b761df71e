namespace RAE.Grid.Training.Evaluation;

/// <summary>
/// What an <see cref="Evaluator"/> measured. Fréchet distances are in the frozen encoder's pooled-feature space
/// (<see cref="PooledFeatures"/>), not Inception's, so they compare runs of this project only.
/// </summary>
/// <param name="Psnr">Mean per-image PSNR (dB) of encode→decode on the test images; null when not measured.</param>
/// <param name="Ssim">Mean SSIM of the same reconstructions; null when not measured.</param>
/// <param name="Fd">Fréchet distance between generated and real test images.</param>
/// <param name="ProbeAccuracy">Fraction of generated images the linear probe assigns to the class they were conditioned on.</param>
/// <param name="FdReal">Fréchet distance between real train-split and real test-split images: the floor <paramref name="Fd"/> can reach at this sample size.</param>
/// <param name="ProbeTestAccuracy">The probe's accuracy on the test latents it was trained on (training accuracy, not held out): the ceiling for <paramref name="ProbeAccuracy"/>.</param>
/// <param name="ReconstructionImages">Images reconstructed.</param>
/// <param name="Samples">Images generated (and real images per split).</param>
/// <param name="Seconds">Wall-clock time of the evaluation.</param>
public sealed record EvaluationReport(double? Psnr, double? Ssim, double Fd, double ProbeAccuracy, double FdReal,
    double ProbeTestAccuracy, int ReconstructionImages, int Samples, double Seconds);
