using System.Net;
using System.Net.Sockets;

namespace RAE.Grid.Grid.Tests.Observability;

/// <summary>Free loopback ports and plain HTTP GETs for a silo's metrics and health endpoints.</summary>
public static class ObservedEndpoints
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>GET http://127.0.0.1:<paramref name="port"/><paramref name="path"/>: status code and body.</summary>
    public static async Task<(int Status, string Body)> GetAsync(int port, string path)
    {
        using var response = await Http.GetAsync($"http://127.0.0.1:{port}{path}");
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes http://127.0.0.1:<paramref name="port"/>/metrics.</summary>
    public static async Task<PrometheusText> ScrapeAsync(int port)
    {
        var (status, body) = await GetAsync(port, "/metrics");
        Assert.True(status == 200, $"/metrics answered {status}: {body}");
        return new PrometheusText(body);
    }
}
