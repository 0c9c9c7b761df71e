using System.Net.Http;
using System.Net.Sockets;
using Azure;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Jobs;

namespace RAE.Grid.Grid.Tests.Jobs;

/// <summary>Outages are waited out; bad items are not: which failures an item retries, and how long it waits between tries.</summary>
public sealed class RetryPolicyTests
{
    public static TheoryData<string, Exception, bool> Failures => new()
    {
        { "queue full", new StageBusyException("stage diffusion/x is busy"), true },
        { "store I/O", new IOException("disk"), true },
        { "store unreachable", new HttpRequestException("connection refused", new SocketException(111)), true },
        { "Azure 503", new RequestFailedException(503, "server busy"), true },
        { "Azure 500", new RequestFailedException(500, "internal"), true },
        { "Azure throttled", new RequestFailedException(429, "slow down"), true },
        { "Azure no connection", new RequestFailedException(0, "no response"), true },
        { "Azure 403", new RequestFailedException(403, "forbidden"), false },
        { "Azure 404", new RequestFailedException(404, "not found"), false },
        { "timeout", new TimeoutException("response timed out"), true },
        { "wrapped outage", new AggregateException(new IOException("disk")), true },
        { "bad image", new ItemRejectedException("a.png: not an image"), false },
        { "bad argument", new ArgumentException("class 12 is outside 0..9"), false },
        { "bug", new NullReferenceException(), false },
    };

    [Theory, MemberData(nameof(Failures))]
    public void Transient_failures_are_retried_and_bad_items_are_not(string what, Exception failure, bool retried) =>
        Assert.True(RetryPolicy.IsRetryable(failure) == retried, $"{what}: expected {(retried ? "retried" : "failed at once")}");

    [Fact]
    public void Backoff_doubles_from_100_ms_with_jitter_up_to_the_cap()
    {
        var cap = TimeSpan.FromSeconds(5);
        for (int attempt = 1; attempt <= 40; attempt++)
        {
            var nominal = Math.Min(5000, 100 * Math.Pow(2, attempt - 1));
            var wait = RetryPolicy.Backoff(attempt, cap).TotalMilliseconds;
            Assert.InRange(wait, nominal * 0.8 - 1e-6, nominal * 1.2 + 1e-6);
        }
    }
}
