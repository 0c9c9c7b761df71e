namespace RAE.Grid.Models.Checkpoints;

/// <summary>The on-disk formats a checkpoint path may hold.</summary>
public enum CheckpointFormat
{
    /// <summary>safetensors: 8-byte header length, JSON header, raw data.</summary>
    SafeTensors,
    /// <summary>PyTorch <c>torch.save</c> zip (a pickle plus one entry per storage).</summary>
    TorchZip,
}
