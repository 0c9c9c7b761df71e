namespace RAE.Grid.Grains.Jobs;

/// <summary>What a partition does after settling items (<see cref="PartitionLedger.Settle"/>).</summary>
public enum SettleStep
{
    /// <summary>Nothing yet.</summary>
    None,
    /// <summary>Report the counts to the job.</summary>
    Report,
    /// <summary>Write a checkpoint of the state, then report.</summary>
    Checkpoint,
}
