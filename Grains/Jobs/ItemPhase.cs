namespace RAE.Grid.Grains.Jobs;

/// <summary>Where one item stands (persisted as a byte).</summary>
public enum ItemPhase : byte { Pending = 0, Done = 1, Failed = 2, Cancelled = 3 }
