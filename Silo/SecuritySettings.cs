using RAE.Grid.Grains.Access;

namespace RAE.Grid.Silo;

/// <summary>
/// Configuration section "Security": <see cref="Tls"/> on the silos' connections and the <see cref="Clients"/> allowed
/// to call the grid. Both empty by default (an embedded or development grid stays zero-configuration); the gateway check
/// that keeps silo-internal grains from clients runs either way. See docs/security.md.
/// </summary>
public sealed class SecuritySettings
{
    public const string Section = "Security";

    public TlsSettings Tls { get; set; } = new();

    /// <summary>The clients let in; empty: every client (an open grid).</summary>
    public List<ClientEntry> Clients { get; set; } = new();

    /// <summary>The clients as the gateway check reads them.</summary>
    public AccessOptions Access => new() { Clients = Clients };

    public IEnumerable<string> Validate(string contentRoot) => Access.Validate().Concat(Tls.Validate(contentRoot));
}
