using System.Net;
using System.Net.Sockets;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>The on-disk Azurite of the fault tests: it keeps blobs in its folder, dies on SIGKILL and comes back on the same port.</summary>
public sealed class DurableAzuriteTests
{
    [Fact]
    public async Task Killed_Azurite_stops_answering_and_restarts_on_the_same_port_serving_from_its_folder()
    {
        using var azurite = new DurableAzurite();
        var store = await AzureBlobStore.CreateAsync(azurite.ConnectionString, "t" + Guid.NewGuid().ToString("N"));
        await store.PutAsync("a/blob.bin", new byte[] { 1, 2, 3 }, "application/octet-stream");
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(azurite.Location, "*", SearchOption.AllDirectories));

        azurite.Kill();
        Assert.False(Accepts(azurite.Port), $"Azurite still accepts connections on {azurite.Port} after SIGKILL");
        azurite.Restart();

        Assert.True(Accepts(azurite.Port), $"Azurite does not accept connections on {azurite.Port} after the restart\n{azurite.Tail()}");
        // The same connection string works again: a store over it can create a container, write and read back.
        var again = await AzureBlobStore.CreateAsync(azurite.ConnectionString, "t" + Guid.NewGuid().ToString("N"));
        await again.PutAsync("b/blob.bin", new byte[] { 4, 5 }, "application/octet-stream");
        Assert.Equal(new byte[] { 4, 5 }, await again.GetAsync("b/blob.bin"));
    }

    static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }
}
