using System.Security.Cryptography;
using System.Text;

namespace RAE.Grid.Grains.Access;

/// <summary>
/// Who may call the grid from outside (configuration <c>Security:Clients</c>). Without clients the grid is open, as an
/// embedded or development grid is: any client may submit, read and cancel any job. Either way, only the client-facing
/// grains (<see cref="ClientFacing"/>) answer clients.
/// </summary>
public sealed class AccessOptions
{
    public const string Section = "Security:Clients";

    public List<ClientEntry> Clients { get; set; } = new();

    /// <summary>No client configured: callers are not authenticated and every job is every client's.</summary>
    public bool IsOpen => Clients.Count == 0;

    /// <summary>Every problem with the entries (names unique and non-empty, exactly one well-formed secret each).</summary>
    public IEnumerable<string> Validate()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Clients.Count; i++)
        {
            var c = Clients[i];
            var at = $"{Section}:{i}";
            if (string.IsNullOrWhiteSpace(c.Name)) yield return $"{at}.Name: required";
            else if (!seen.Add(c.Name)) yield return $"{at}.Name: '{c.Name}' is listed twice";
            var hasHash = !string.IsNullOrWhiteSpace(c.SecretSha256);
            var hasSecret = !string.IsNullOrEmpty(c.Secret);
            if (hasHash == hasSecret) yield return $"{at}: give exactly one of SecretSha256 and Secret";
            else if (hasHash && (c.SecretSha256!.Length != 64 || !c.SecretSha256.All(Uri.IsHexDigit)))
                yield return $"{at}.SecretSha256: not 64 hex digits";
        }
    }

    /// <summary>
    /// The configured client <paramref name="name"/> whose secret is <paramref name="secret"/>, or null (unknown name and
    /// wrong secret look the same to the caller). Hashes are compared in fixed time.
    /// </summary>
    public ClientEntry? Authenticate(string? name, string? secret)
    {
        if (string.IsNullOrEmpty(name) || secret is null) return null;
        var entry = Clients.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
        if (entry is null) return null;
        var expected = entry.SecretSha256 is { Length: 64 } hex ? Convert.FromHexString(hex) : Sha256(entry.Secret ?? "");
        return CryptographicOperations.FixedTimeEquals(expected, Sha256(secret)) ? entry : null;
    }

    static byte[] Sha256(string s) => SHA256.HashData(Encoding.UTF8.GetBytes(s));
}
