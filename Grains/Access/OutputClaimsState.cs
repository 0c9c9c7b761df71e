namespace RAE.Grid.Grains.Access;

/// <summary>The persisted claims: normalised output prefix → its claim. One entry per job ever started (outputs outlive the job index).</summary>
[GenerateSerializer, Alias("rae.OutputClaimsState"), MessagePack.MessagePackObject]
public sealed class OutputClaimsState
{
    [Id(0), MessagePack.Key(0)] public Dictionary<string, OutputClaim> Claims { get; set; } = new(StringComparer.Ordinal);
}
