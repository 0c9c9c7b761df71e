using MessagePack;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// One best-of-N item's scored candidates, persisted with its partition once all N are scored: the winners follow from
/// the scores alone (<see cref="Models.Verifiers.BestOfN"/>), so a resumed partition or an audit that redoes a lost
/// output decodes the same candidates without sampling the losers again.
/// </summary>
[MessagePackObject]
public sealed class CandidateSelection
{
    /// <summary>Score of each candidate, by candidate index.</summary>
    [Key(0)] public double[] Scores { get; set; } = [];
    /// <summary>The verifier that scored them: name and version.</summary>
    [Key(1)] public string Verifier { get; set; } = "";
}
