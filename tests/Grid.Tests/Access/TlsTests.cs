using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RAE.Grid.Client;
using RAE.Grid.Grid.Tests.Cluster;
using RAE.Grid.Silo;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace RAE.Grid.Grid.Tests.Access;

/// <summary>TLS on the gateway (Microsoft.Orleans.Connections.Security) with a self-signed certificate made here, and its start-up checks.</summary>
public sealed class TlsTests(ITestOutputHelper output)
{
    const string Password = "test-pfx-password";

    /// <summary>A self-signed certificate usable for server and client authentication, as docs/security.md makes one with openssl.</summary>
    static X509Certificate2 SelfSigned(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>Writes the certificate as a PFX with its key (the silo's file) and as a public .cer (what clients trust).</summary>
    static (string Pfx, string Cer) Write(X509Certificate2 cert, string dir, string name)
    {
        var pfx = Path.Combine(dir, name + ".pfx");
        var cer = Path.Combine(dir, name + ".cer");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, Password));
        File.WriteAllBytes(cer, cert.Export(X509ContentType.Cert));
        return (pfx, cer);
    }

    [Fact]
    public async Task A_TLS_gateway_serves_a_client_that_trusts_its_certificate_and_refuses_a_plain_client()
    {
        using var folders = new GridTestFolders();
        var (pfx, cer) = Write(SelfSigned("rae-grid-silo"), folders.Root, "silo");
        var (_, otherCer) = Write(SelfSigned("someone-else"), folders.Root, "other");
        await using var grid = await SecuredGrid.StartAsync(folders, new Dictionary<string, string?>
        {
            ["Security:Tls:CertificatePath"] = pfx,
            ["Security:Tls:CertificatePassword"] = Password,
            ["Security:Clients:0:Name"] = "alice",
            ["Security:Clients:0:Secret"] = "alice-secret",
        });

        var tls = await grid.ConnectAsync(new ClientCredential("alice", "alice-secret"), new ClientTls(TrustedCertificatePath: cer));
        Assert.Empty(await tls.ListJobsAsync().ToArrayAsync());

        // A plain client never gets through the handshake (the client keeps retrying the gateway until it gives up), and
        // neither does a TLS client that trusts another certificate.
        await Assert.ThrowsAnyAsync<Exception>(() => grid.Connection(null, null).ConnectAsync(GiveUpAfter(RefusedWait)));
        await Assert.ThrowsAnyAsync<Exception>(() => grid.Connection(null, new ClientTls(otherCer)).ConnectAsync(GiveUpAfter(RefusedWait)));
        output.WriteLine("TLS client trusting the silo certificate: served; plain client and client trusting another certificate: not connected");
    }

    /// <summary>How long a refused client is given to connect (it never does: any time shows the same).</summary>
    static readonly TimeSpan RefusedWait = TimeSpan.FromSeconds(10);

    static CancellationToken GiveUpAfter(TimeSpan wait) => new CancellationTokenSource(wait).Token;

    [Fact]
    public void Security_settings_are_checked_at_start_up_and_every_problem_is_named()
    {
        using var folders = new GridTestFolders();
        var (pfx, _) = Write(SelfSigned("rae-grid-silo"), folders.Root, "silo");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Security:Clients:0:Name"] = "alice",
            ["Security:Clients:0:SecretSha256"] = "not-hex",
            ["Security:Clients:1:Name"] = "alice",
            ["Security:Clients:1:Secret"] = "s",
            ["Security:Clients:2:Name"] = "carol",
            ["Security:Tls:CertificatePath"] = pfx,
            ["Security:Tls:CertificatePassword"] = "wrong",
        }).Build();
        var e = Assert.Throws<GridConfigurationException>(() => GridSilo.ReadSettings(config, folders.Root));
        Assert.Contains("Security:Clients:0.SecretSha256: not 64 hex digits", e.Problems);
        Assert.Contains("Security:Clients:1.Name: 'alice' is listed twice", e.Problems);
        Assert.Contains("Security:Clients:2: give exactly one of SecretSha256 and Secret", e.Problems);
        Assert.Contains(e.Problems, p => p.StartsWith($"Security:Tls.CertificatePath: '{pfx}' cannot be read as a PFX with the configured password"));
        Assert.DoesNotContain(e.Problems, p => p.Contains("wrong"));

        var missing = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Security:Tls:CertificatePath"] = "no-such.pfx",
        }).Build();
        Assert.Contains("Security:Tls.CertificatePath: file not found: 'no-such.pfx'",
            Assert.Throws<GridConfigurationException>(() => GridSilo.ReadSettings(missing, folders.Root)).Problems);
    }
}
