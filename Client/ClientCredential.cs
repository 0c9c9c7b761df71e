using RAE.Grid.Contracts;

namespace RAE.Grid.Client;

/// <summary>
/// A client's name and shared secret, sent with every call (see <see cref="ClientCredentialKeys"/>); the silos know the
/// name and the secret's SHA-256 (<c>Security:Clients</c>). <see cref="ToString"/> never shows the secret.
/// </summary>
public sealed record ClientCredential(string Name, string Secret)
{
    /// <summary>Environment variable with the client's name.</summary>
    public const string NameVariable = "RAEGRID_CLIENT";

    /// <summary>Environment variable with the client's secret.</summary>
    public const string SecretVariable = "RAEGRID_CLIENT_SECRET";

    /// <summary>
    /// The credential named by <paramref name="name"/> and <paramref name="secret"/>, each falling back to its environment
    /// variable; null when neither gives a name (a grid without client credentials needs none). A name without a secret
    /// is an <see cref="ArgumentException"/>.
    /// </summary>
    public static ClientCredential? From(string? name, string? secret)
    {
        name = string.IsNullOrWhiteSpace(name) ? Environment.GetEnvironmentVariable(NameVariable) : name;
        secret = string.IsNullOrEmpty(secret) ? Environment.GetEnvironmentVariable(SecretVariable) : secret;
        if (string.IsNullOrWhiteSpace(name))
        {
            if (!string.IsNullOrEmpty(secret)) throw new ArgumentException($"a client secret was given without a client name (--client-name or {NameVariable})");
            return null;
        }
        if (string.IsNullOrEmpty(secret)) throw new ArgumentException($"client '{name}' has no secret (--client-secret or {SecretVariable})");
        return new ClientCredential(name, secret);
    }

    public override string ToString() => $"client '{Name}'";
}
