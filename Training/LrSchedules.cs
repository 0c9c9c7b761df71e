using static TorchSharp.torch;

namespace RAE.Grid.Training;

/// <summary>Helpers for schedules.</summary>
public static class LrSchedules
{
    /// <summary>Sets every parameter group's learning rate.</summary>
    public static void Apply(optim.Optimizer optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }
}
