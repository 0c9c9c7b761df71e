using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace RAE.Grid.Silo;

/// <summary>
/// TLS on every silo connection (configuration <c>Security:Tls</c>): silo to silo and client to gateway. Off unless
/// <see cref="CertificatePath"/> is set. The certificate (a PFX with its private key; extended key usage, if any, must
/// allow both server and client authentication, since silos are clients of each other) is the silo's identity; its own
/// thumbprint and <see cref="TrustedThumbprints"/> are trusted whatever their chain (self-signed set-ups), other
/// certificates only when valid for this machine's trust store. See docs/security.md.
/// </summary>
public sealed class TlsSettings
{
    public const string Section = "Security:Tls";

    /// <summary>The silo's certificate: a PFX file (relative to the working directory) holding its private key.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PFX password; prefer the environment (<c>RAEGRID_Security__Tls__CertificatePassword</c>) to a file.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Clients must present a certificate the silos trust, as well as their credential.</summary>
    public bool ClientCertificateRequired { get; set; }

    /// <summary>SHA-1 thumbprints (40 hex digits) of other certificates to trust: other silos' or clients' self-signed ones.</summary>
    public List<string> TrustedThumbprints { get; set; } = new();

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>The certificate, once <see cref="Validate"/> has loaded it.</summary>
    public X509Certificate2? Certificate { get; private set; }

    /// <summary>Every problem, loading the certificate to find them (path resolved against <paramref name="contentRoot"/>).</summary>
    public IEnumerable<string> Validate(string contentRoot)
    {
        var problems = new List<string>();
        foreach (var t in TrustedThumbprints.Where(t => t.Length != 40 || !t.All(Uri.IsHexDigit)))
            problems.Add($"{Section}.TrustedThumbprints: '{t}' is not a 40-hex-digit thumbprint");
        if (!Enabled)
        {
            if (ClientCertificateRequired) problems.Add($"{Section}.ClientCertificateRequired: needs {Section}.CertificatePath (TLS is off)");
            return problems;
        }
        var path = Path.GetFullPath(Path.Combine(contentRoot, CertificatePath!));
        if (!File.Exists(path)) { problems.Add($"{Section}.CertificatePath: file not found: '{CertificatePath}'"); return problems; }
        try
        {
            var cert = X509CertificateLoader.LoadPkcs12FromFile(path, CertificatePassword);
            if (!cert.HasPrivateKey) problems.Add($"{Section}.CertificatePath: '{CertificatePath}' holds no private key (export a PFX with its key)");
            else if (cert.NotAfter < DateTime.Now) problems.Add($"{Section}.CertificatePath: '{CertificatePath}' expired on {cert.NotAfter:u}");
            else Certificate = cert;
        }
        catch (CryptographicException e)
        {
            problems.Add($"{Section}.CertificatePath: '{CertificatePath}' cannot be read as a PFX with the configured password ({e.Message})");
        }
        return problems;
    }

    /// <summary>Orleans TLS options for one kind of connection; <paramref name="requireRemote"/>: the other end must present a certificate.</summary>
    public TlsOptions Options(bool requireRemote)
    {
        var cert = Certificate ?? throw new InvalidOperationException("TLS settings were not validated");
        var trusted = TrustedThumbprints.Append(cert.Thumbprint).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new TlsOptions
        {
            LocalCertificate = cert,
            RemoteCertificateMode = requireRemote ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate,
            ClientCertificateMode = RemoteCertificateMode.AllowCertificate,
            RemoteCertificateValidation = (remote, _, errors) => errors == SslPolicyErrors.None || trusted.Contains(remote.Thumbprint),
        };
    }
}
