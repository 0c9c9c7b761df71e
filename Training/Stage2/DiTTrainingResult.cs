using RAE.Grid.Models.Bundles;

namespace RAE.Grid.Training.Stage2;

/// <summary>What a stage-2 run produced: the bundle sections to write and the losses this call saw.</summary>
/// <param name="Stage2">The <c>stage_2</c> block for bundle.json (target, params, ckpt relative to the output folder).</param>
/// <param name="GuidanceModel">The <c>guidance.guidance_model</c> block of the weak checkpoint, when one was asked for.</param>
/// <param name="Steps">Optimizer steps done in total (including those before a resume).</param>
/// <param name="Losses">The loss of every step run in this call, in order.</param>
public sealed record DiTTrainingResult(ModelSection Stage2, ModelSection? GuidanceModel, long Steps, IReadOnlyList<double> Losses);
