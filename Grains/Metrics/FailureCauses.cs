using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Metrics;

/// <summary>
/// The <c>cause</c> tag of <c>raegrid_stage_failures_total</c>: why a stage did not produce an item's output. A stage
/// that knows a finer cause than the exception's type (a compute deadline is an <see cref="ItemRejectedException"/> too)
/// marks the exception with <see cref="Mark{T}"/>.
/// </summary>
public static class FailureCauses
{
    /// <summary>The item itself was refused (bad image, unknown class, prompt too long…); not retried.</summary>
    public const string Rejected = "rejected";
    /// <summary>The batch stopped at <c>Grid:Limits:ItemComputeSeconds</c>.</summary>
    public const string ComputeDeadline = "compute_deadline";
    /// <summary>Every caller of the item gave up before or while it ran.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>The model's forward pass (or the stage code around it) threw.</summary>
    public const string ModelError = "model_error";

    private const string Key = "raegrid.cause";

    /// <summary>Marks <paramref name="error"/> with <paramref name="cause"/> and returns it.</summary>
    public static T Mark<T>(T error, string cause) where T : Exception
    {
        error.Data[Key] = cause;
        return error;
    }

    /// <summary>The cause of <paramref name="error"/>: its mark, else one read from its type.</summary>
    public static string Of(Exception error) => error.Data[Key] as string ?? error switch
    {
        ItemRejectedException => Rejected,
        OperationCanceledException => Cancelled,
        _ => ModelError,
    };
}
