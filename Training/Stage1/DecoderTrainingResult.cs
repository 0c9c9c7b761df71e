namespace RAE.Grid.Training.Stage1;

/// <summary>What a finished <see cref="DecoderTraining.Train"/> call did and wrote.</summary>
/// <param name="Steps">Optimizer steps done in total (including those before a resume).</param>
/// <param name="L1History">The L1 of every step run in this call, in order.</param>
/// <param name="ConfigPath"><c>&lt;out&gt;/decoder/config.json</c>.</param>
/// <param name="WeightsPath"><c>&lt;out&gt;/decoder/model.safetensors</c> (EMA weights).</param>
public sealed record DecoderTrainingResult(long Steps, IReadOnlyList<double> L1History, string ConfigPath, string WeightsPath);
