namespace RAE.Grid.Grains.Access;

/// <summary>
/// One client the silos let in (configuration <c>Security:Clients</c>): its name, its shared secret — preferably only its
/// SHA-256 in hex (<see cref="SecretSha256"/>), so configuration files hold no secret — and whether it is an admin
/// (reads and cancels every job, lists every job, may call Orleans' management grain).
/// </summary>
public sealed class ClientEntry
{
    public string Name { get; set; } = "";
    /// <summary>SHA-256 of the secret, 64 hex digits (<c>printf %s "$SECRET" | sha256sum</c>).</summary>
    public string? SecretSha256 { get; set; }
    /// <summary>The secret itself (for tests and quick set-ups; prefer <see cref="SecretSha256"/>).</summary>
    public string? Secret { get; set; }
    public bool Admin { get; set; }
}
