namespace RAE.Grid.Grains.Placement;

/// <summary>
/// One stage replica as the router sees it: a silo and a replica index on it (one per device entry and instance, see
/// <see cref="Configuration.GridOptions.Devices"/>). Routed like a host of its own: round robin and pass-over are per replica.
/// </summary>
public readonly record struct StageHost(SiloAddress Silo, int Replica)
{
    public override string ToString() => Replica == 0 ? Silo.ToString() : $"{Silo}#{Replica}";
}
