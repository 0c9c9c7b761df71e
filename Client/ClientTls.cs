using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace RAE.Grid.Client;

/// <summary>
/// TLS to the gateways. <see cref="TrustedCertificatePath"/> is the silos' certificate (PEM/DER, or a PFX) to accept even
/// when it is self-signed: it is pinned by thumbprint. Without it, only a certificate valid for this machine's trust
/// store is accepted. <see cref="ClientCertificatePath"/> (a PFX with its key) is sent when the silos require client
/// certificates (<c>Security:Tls:ClientCertificateRequired</c>).
/// </summary>
public sealed record ClientTls(string? TrustedCertificatePath = null, string? ClientCertificatePath = null, string? ClientCertificatePassword = null)
{
    /// <summary>Environment variable naming the silos' certificate to trust (turns TLS on for the CLI).</summary>
    public const string TrustVariable = "RAEGRID_TLS_TRUST";

    /// <summary>Environment variable naming the client's own certificate (PFX).</summary>
    public const string ClientCertificateVariable = "RAEGRID_TLS_CLIENT_CERT";

    /// <summary>Environment variable with the password of the client's certificate.</summary>
    public const string ClientCertificatePasswordVariable = "RAEGRID_TLS_CLIENT_CERT_PASSWORD";

    /// <summary>TLS settings from the options given, falling back to the environment; null when neither asks for TLS.</summary>
    public static ClientTls? From(string? trust, string? clientCertificate)
    {
        trust ??= Environment.GetEnvironmentVariable(TrustVariable);
        clientCertificate ??= Environment.GetEnvironmentVariable(ClientCertificateVariable);
        if (string.IsNullOrWhiteSpace(trust) && string.IsNullOrWhiteSpace(clientCertificate)) return null;
        return new ClientTls(NullIfBlank(trust), NullIfBlank(clientCertificate), Environment.GetEnvironmentVariable(ClientCertificatePasswordVariable));
    }

    static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>Fills Orleans' TLS options; a missing or unreadable certificate file is an <see cref="ArgumentException"/> naming it.</summary>
    public void Apply(TlsOptions options)
    {
        if (ClientCertificatePath is { } own)
        {
            var cert = Load(own, ClientCertificatePassword, "client certificate");
            if (!cert.HasPrivateKey) throw new ArgumentException($"client certificate '{own}' has no private key (use a PFX that includes it)");
            options.LocalCertificate = cert;
        }
        if (TrustedCertificatePath is { } trusted)
        {
            var thumbprint = Load(trusted, null, "trusted certificate").Thumbprint;
            // Pinned: the silos' own certificate is accepted whatever its chain or host name (self-signed set-ups).
            options.RemoteCertificateValidation = (cert, _, errors) =>
                errors == SslPolicyErrors.None || string.Equals(cert.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>Reads a certificate file: a PFX (with <paramref name="password"/>) or a PEM/DER certificate.</summary>
    public static X509Certificate2 Load(string path, string? password, string what)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{what} file not found: '{path}'");
        try
        {
            var ext = Path.GetExtension(path).ToLowerInvariant();
            return ext is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password)
                : X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ArgumentException($"{what} '{path}' cannot be read ({e.Message}); a wrong password?");
        }
    }
}
