namespace RAE.Grid.Models.Checkpoints;

/// <summary>One tensor's entry in a safetensors header.</summary>
public sealed record SafeTensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);
