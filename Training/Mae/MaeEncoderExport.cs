using RAE.Grid.Models.Checkpoints;
using RAE.Grid.Models.Encoders.Mae;
using static TorchSharp.torch;

namespace RAE.Grid.Training.Mae;

/// <summary>
/// Writes a pre-trained MAE as an HF-style folder: <c>config.json</c> (<see cref="ViTMAEPreTrainingConfig.ToJson"/>)
/// and <c>model.safetensors</c> with the <c>vit.*</c> and <c>decoder.*</c> keys of <c>facebook/vit-mae-base</c>, which
/// <see cref="ViTMAEModel.Load"/> reads strictly (it keeps <c>vit.*</c> and ignores <c>decoder.*</c>).
/// </summary>
public static class MaeEncoderExport
{
    /// <summary>The config file's name in the folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file's name in the folder.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="directory"/>: fp32 by default, fp16 when
    /// <paramref name="float16"/> (halves the shipped bundle; loading converts back to the model's dtype).
    /// Returns (config path, weights path).
    /// </summary>
    public static (string ConfigPath, string WeightsPath) Write(ViTMAEForPreTraining model, string directory, bool float16 = false)
    {
        Directory.CreateDirectory(directory);
        var configPath = Path.Combine(directory, ConfigFileName);
        var weightsPath = Path.Combine(directory, WeightsFileName);
        model.Config.Save(configPath);
        using var scope = NewDisposeScope();
        var dtype = float16 ? ScalarType.Float16 : ScalarType.Float32;
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().to(dtype).contiguous());
        SafeTensorsWriter.Write(weightsPath, tensors, new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["architecture"] = "ViTMAEForPreTraining",
        });
        return (configPath, weightsPath);
    }

    /// <summary>Loads the encoder half (<c>vit.*</c>) of a folder written by <see cref="Write"/>, frozen, in eval mode.</summary>
    public static ViTMAEModel LoadEncoder(string directory)
    {
        var config = ViTMAEConfig.FromFile(Path.Combine(directory, ConfigFileName));
        var weightsPath = Path.Combine(directory, WeightsFileName);
        var state = SafeTensorsFile.ReadAll(weightsPath);
        try { return ViTMAEModel.Load(config, state, weightsPath); }
        finally { foreach (var t in state.Values) t.Dispose(); }
    }
}
