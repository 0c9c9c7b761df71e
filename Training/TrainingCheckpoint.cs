using System.Globalization;
using System.Reflection;
using Module = TorchSharp.torch.nn.Module;
using RAE.Grid.Models.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace RAE.Grid.Training;

/// <summary>
/// A resumable training checkpoint in one safetensors file, the analogue of the official
/// <c>{"model", "ema", "optimizer", "epoch"}</c> torch dict: each module's state dict under
/// "&lt;module&gt;.&lt;official key&gt;", each optimizer's per-parameter state under
/// "&lt;optimizer&gt;.state.&lt;i&gt;.&lt;field&gt;" (e.g. AdamW exp_avg, exp_avg_sq) with its scalar fields (step) in the
/// metadata, the step count and the trainer's <see cref="TrainingFingerprint"/>. Files are written to a temporary name
/// and renamed, so a crash mid-write leaves the previous checkpoint intact.
/// </summary>
public static class TrainingCheckpoint
{
    const string StepKey = "training.step";

    /// <summary>Writes the checkpoint, with <paramref name="fingerprint"/> in its metadata when given.</summary>
    public static void Save(string path, long step, IReadOnlyDictionary<string, Module> modules,
        IReadOnlyDictionary<string, optim.Optimizer> optimizers, IReadOnlyDictionary<string, string>? metadata = null,
        TrainingFingerprint? fingerprint = null)
    {
        if (modules.Keys.Intersect(optimizers.Keys).FirstOrDefault() is { } clash)
            throw new ArgumentException($"checkpoint name '{clash}' is used by a module and an optimizer; their keys would collide");
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { [StepKey] = step.ToString(CultureInfo.InvariantCulture) };
        foreach (var (key, value) in fingerprint?.Metadata ?? new Dictionary<string, string>()) meta[key] = value;
        foreach (var (name, module) in modules)
            foreach (var (key, t) in module.state_dict())
                tensors[$"{name}.{key}"] = t.detach().cpu().contiguous();
        foreach (var (name, optimizer) in optimizers)
        {
            var states = Helper(optimizer, path).state_dict().State;
            for (int i = 0; i < states.Count; i++)
                foreach (var (field, value) in Fields(states[i]))
                {
                    var key = $"{name}.state.{i}.{field.Name}";
                    if (value is Tensor t) { if (!t.IsInvalid) tensors[key] = t.detach().cpu().contiguous(); }
                    else if (value is not null) meta[key] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
                }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        SafeTensorsWriter.Write(tmp, tensors, meta);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// Restores modules (strictly, every key) and optimizer states in place; returns the step and the metadata. With a
    /// <paramref name="fingerprint"/>, first refuses (<see cref="TrainingFingerprint.Verify"/>) a checkpoint that does not
    /// record it, before any tensor is touched: another recipe's architecture would otherwise fail as a key mismatch,
    /// and one whose keys fit would be resumed.
    /// </summary>
    public static (long Step, IReadOnlyDictionary<string, string> Metadata) Load(string path,
        IReadOnlyDictionary<string, Module> modules, IReadOnlyDictionary<string, optim.Optimizer> optimizers,
        TrainingFingerprint? fingerprint = null)
    {
        using var file = SafeTensorsFile.Open(path);
        fingerprint?.Verify(path, file.Metadata);
        using var scope = NewDisposeScope();
        foreach (var (name, module) in modules)
        {
            var prefix = name + ".";
            var dict = file.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(k => k[prefix.Length..], file.Load);
            StateDictLoader.Load(module, dict, $"{path} [{name}]");
        }
        foreach (var (name, optimizer) in optimizers)
        {
            var sd = Helper(optimizer, path).state_dict();
            for (int i = 0; i < sd.State.Count; i++)
                foreach (var (field, value) in Fields(sd.State[i]))
                {
                    var key = $"{name}.state.{i}.{field.Name}";
                    using var _ = no_grad();
                    if (value is Tensor t && !t.IsInvalid)
                    {
                        if (!file.Contains(key)) throw new InvalidDataException($"{path}: optimizer state '{key}' missing");
                        t.copy_(file.Load(key));
                    }
                    else if (value is not Tensor && file.Metadata.TryGetValue(key, out var s))
                        field.SetValue(sd.State[i], Convert.ChangeType(s, field.FieldType, CultureInfo.InvariantCulture));
                }
            Helper(optimizer, path).load_state_dict(sd);
        }
        if (!file.Metadata.TryGetValue(StepKey, out var stepText))
            throw new InvalidDataException($"{path}: not a training checkpoint (no '{StepKey}' in the metadata)");
        return (long.Parse(stepText, CultureInfo.InvariantCulture), file.Metadata);
    }

    static OptimizerHelper Helper(optim.Optimizer optimizer, string path) => optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"{path}: optimizer {optimizer.GetType().Name} has no state dict to checkpoint");

    // The optimizer state classes (AdamW.State etc.) keep their moments and step count in public fields.
    static IEnumerable<(FieldInfo Field, object? Value)> Fields(object state) =>
        state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Where(f => f.FieldType == typeof(Tensor) || f.FieldType.IsPrimitive)
            .Select(f => (f, f.GetValue(state)));
}
