namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>The Redis fixture itself: it serves PING while alive, is gone after dispose, and fails helpfully when missing.</summary>
public sealed class RedisServerTests
{
    [Fact]
    public void Started_server_answers_ping_and_is_gone_after_dispose()
    {
        int port;
        using (var redis = new RedisServer())
        {
            port = redis.Port;
            Assert.True(RedisServer.Ping(port, TimeSpan.FromSeconds(2)), $"no PONG from {redis.ConnectionString}\n{redis.Tail()}");
            Assert.Equal($"127.0.0.1:{port}", redis.ConnectionString);
        }
        Assert.False(RedisServer.Ping(port, TimeSpan.FromSeconds(1)), $"redis on port {port} still answers after dispose");
    }

    [Fact]
    public void Missing_redis_server_fails_with_the_install_command()
    {
        var empty = Directory.CreateTempSubdirectory("rae-nopath-").FullName;
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() => RedisServer.FindExecutable(null, empty));
            Assert.Contains("apt-get install -y redis-server", e.Message);
            Assert.Contains(".ci/run", e.Message);
        }
        finally { Directory.Delete(empty); }
    }

    [Fact]
    public void Redis_server_override_that_does_not_exist_is_named()
    {
        var e = Assert.Throws<InvalidOperationException>(() => RedisServer.FindExecutable("/nonexistent/redis-server", "/usr/bin"));
        Assert.Contains("/nonexistent/redis-server", e.Message);
    }
}
