using System.Net;
using System.Net.Sockets;

namespace RAE.Grid.Grid.Tests.Storage;

/// <summary>The fixture finds Azurite where CI installs it, fails loudly when it is missing, and stops it.</summary>
public sealed class AzuriteFixtureTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rae-azurite-find-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_missing_azurite_fails_with_the_command_that_installs_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => AzuriteFixture.FindExecutable(null, _dir, ""));
        Assert.Contains(AzuriteFixture.InstallCommand, error.Message);
        Assert.Contains(Path.Combine(_dir, ".tools"), error.Message);
    }

    [Fact]
    public void An_azurite_blob_override_that_does_not_exist_fails_naming_it()
    {
        var missing = Path.Combine(_dir, "nope", "azurite-blob");
        var error = Assert.Throws<InvalidOperationException>(() => AzuriteFixture.FindExecutable(missing, _dir, ""));
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void The_repository_copy_is_preferred_over_one_on_path()
    {
        var name = OperatingSystem.IsWindows() ? "azurite-blob.cmd" : "azurite-blob";
        var repoCopy = Touch(Path.Combine(_dir, "repo", ".tools", "node_modules", ".bin", name));
        var onPath = Touch(Path.Combine(_dir, "bin", name));
        Assert.Equal(repoCopy, AzuriteFixture.FindExecutable(null, Path.Combine(_dir, "repo"), Path.Combine(_dir, "bin")));
        Assert.Equal(onPath, AzuriteFixture.FindExecutable(null, Path.Combine(_dir, "other"), Path.Combine(_dir, "bin")));
        Assert.Equal(onPath, AzuriteFixture.FindExecutable(onPath, Path.Combine(_dir, "repo"), ""));
    }

    [Fact]
    public void Disposing_the_fixture_stops_azurite()
    {
        var azurite = new AzuriteFixture();
        var port = azurite.Port;
        Assert.True(Accepts(port));
        azurite.Dispose();
        Assert.False(Accepts(port));
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

    static string Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        return path;
    }
}
