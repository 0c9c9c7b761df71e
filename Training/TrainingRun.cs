using RAE.Grid.Models.Checkpoints;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training;

/// <summary>Helpers shared by the training loops.</summary>
public static class TrainingRun
{
    /// <summary>
    /// Writes <paramref name="module"/>'s state dict (official keys) as safetensors, contiguous on the CPU, in
    /// float32 or — to keep a shipped bundle small — float16 (the loaders cast to the model's dtype).
    /// </summary>
    public static void ExportWeights(Module module, string path, bool float16 = false, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = NewDisposeScope();
        var dict = module.state_dict().ToDictionary(kv => kv.Key,
            kv => kv.Value.detach().cpu().to(float16 && kv.Value.is_floating_point() ? ScalarType.Float16 : kv.Value.dtype).contiguous());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        SafeTensorsWriter.Write(tmp, dict, metadata);
        File.Move(tmp, path, overwrite: true);
    }
}
