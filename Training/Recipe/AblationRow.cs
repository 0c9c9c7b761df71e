namespace RAE.Grid.Training.Recipe;

/// <summary>One arm of an ablation: what was trained, for how long, and its evaluation.</summary>
public sealed record AblationRow(string Ablation, string Arm, string Model, long Steps, double TrainSeconds, double FinalLoss,
    double? Psnr, double? Ssim, double Fd, double ProbeAccuracy, double FdReal);
