using System.Net.Http;
using System.Net.Sockets;
using Azure;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Which failures are transient — worth waiting out and retrying, possibly on another silo — and how long to wait first.
/// Transient: busy stages (queue full), silos that left or are unreachable, timeouts, store outages (I/O, HTTP, a 5xx/408/429
/// from Azure Storage) and Redis outages. Not transient: a bad item (rejected image, bad argument, unknown key).
/// </summary>
public static class RetryPolicy
{
    /// <summary>Whether <paramref name="e"/> is transient.</summary>
    public static bool IsRetryable(Exception e) => e switch
    {
        ItemRejectedException or PayloadTooLargeException or ArgumentException or KeyNotFoundException => false,
        StageBusyException or NoStageSiloException or SiloUnavailableException or OrleansMessageRejectionException
            or TimeoutException or OrleansException or IOException or HttpRequestException or SocketException => true,
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        // StackExchange.Redis' connection and timeout errors (by name: Grains does not reference the client directly).
        _ when e.GetType().FullName is "StackExchange.Redis.RedisConnectionException" or "StackExchange.Redis.RedisTimeoutException" => true,
        AggregateException a when a.InnerExceptions.Count == 1 => IsRetryable(a.InnerExceptions[0]),
        _ => e.InnerException is { } inner && IsRetryable(inner),
    };

    /// <summary>Exponential backoff with a cap and ±20 % jitter (so items failed together do not retry in lockstep): 100 ms, 200 ms, 400 ms … <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan max)
    {
        var ms = Math.Min(max.TotalMilliseconds, 100 * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30)));
        return TimeSpan.FromMilliseconds(ms * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }
}
