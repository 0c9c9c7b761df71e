using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Jobs;

/// <summary>Which item failures are worth another attempt (possibly on another silo), and how long to wait first.</summary>
public static class RetryPolicy
{
    /// <summary>Busy stages, silos that left or are unreachable, timeouts and placement failures are retryable; bad items are not.</summary>
    public static bool IsRetryable(Exception e) => e switch
    {
        ItemRejectedException or PayloadTooLargeException or ArgumentException or KeyNotFoundException => false,
        StageBusyException or NoStageSiloException or SiloUnavailableException or OrleansMessageRejectionException
            or TimeoutException or OrleansException or IOException => true,
        AggregateException a when a.InnerExceptions.Count == 1 => IsRetryable(a.InnerExceptions[0]),
        _ => e.InnerException is { } inner && IsRetryable(inner),
    };

    /// <summary>Exponential backoff with a cap: 100 ms, 200 ms, 400 ms … 5 s.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Max(0, attempt - 1))));
}
