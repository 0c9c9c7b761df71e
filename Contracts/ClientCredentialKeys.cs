namespace RAE.Grid.Contracts;

/// <summary>
/// The <c>RequestContext</c> keys a client's credential travels under on every call (set by the client library, read
/// and removed by the silo's gateway check; a call from another grain or a silo carries no credential of its own).
/// </summary>
public static class ClientCredentialKeys
{
    /// <summary>The client's name, as configured on the silos (<c>Security:Clients</c>).</summary>
    public const string Name = "rae.client";

    /// <summary>The client's shared secret; the silo compares its SHA-256 with the configured one and then drops it.</summary>
    public const string Secret = "rae.client-secret";
}
