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
    public void Killed_and_restarted_server_keeps_every_acknowledged_write_through_its_append_only_file()
    {
        using var redis = new RedisServer();
        const int keys = 200;
        for (var i = 0; i < keys; i++) Assert.Equal("+OK", Command(redis.Port, $"SET key{i} value{i}"));

        redis.Kill(); // SIGKILL right after the last reply: no shutdown save
        Assert.False(RedisServer.Ping(redis.Port, TimeSpan.FromSeconds(1)), "redis still answers after SIGKILL");
        redis.Restart();

        // Redis 7 keeps a folder of AOF parts with a manifest; earlier versions one appendonly.aof.
        Assert.True(Directory.Exists(Path.Combine(redis.DataDirectory, "appendonlydir")) || File.Exists(Path.Combine(redis.DataDirectory, "appendonly.aof")),
            $"no append-only file under {redis.DataDirectory}\n{redis.Tail()}");
        Assert.Equal($":{keys}", Command(redis.Port, "DBSIZE"));
        Assert.Equal("$8\r\nvalue199", Command(redis.Port, "GET key199"));
    }

    // One inline command, its reply without the final CRLF.
    static string Command(int port, string command)
    {
        using var client = new System.Net.Sockets.TcpClient("127.0.0.1", port);
        var stream = client.GetStream();
        stream.ReadTimeout = 5000;
        stream.Write(System.Text.Encoding.ASCII.GetBytes(command + "\r\n"));
        var buffer = new byte[256];
        var n = stream.Read(buffer, 0, buffer.Length);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, n).TrimEnd('\r', '\n');
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
