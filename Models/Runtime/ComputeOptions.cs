using RAE.Grid.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace RAE.Grid.Models.Runtime;

/// <summary>
/// Where a model runs and in which precision, as configuration data: device "cpu", "cuda" or "cuda:N"; dtype
/// "fp32" or "bf16" (also "fp16", "fp64"). Parsed and validated once at start-up.
/// </summary>
public sealed record ComputeOptions(
    [property: System.Text.Json.Serialization.JsonPropertyName("device")] string Device = "cpu",
    [property: System.Text.Json.Serialization.JsonPropertyName("dtype")] string DType = "fp32")
{
    /// <summary>The TorchSharp device; throws naming the setting when it is malformed or unavailable.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Device TorchDevice
    {
        get
        {
            var d = Device.Trim().ToLowerInvariant();
            if (d == "cpu") return CPU;
            if (d == "cuda" || d.StartsWith("cuda:"))
            {
                if (!cuda.is_available())
                    throw new InvalidOperationException(
                        $"device '{Device}' was configured but CUDA is not available in this build (build with -p:TorchBackend=cuda on a GPU host)");
                var index = d == "cuda" ? 0 : int.TryParse(d[5..], out var i) && i >= 0 ? i
                    : throw new ArgumentException($"device '{Device}': expected cuda:N with N a non-negative integer");
                if (index >= cuda.device_count())
                    throw new ArgumentException($"device '{Device}': only {cuda.device_count()} CUDA device(s) present");
                return new Device(DeviceType.CUDA, index);
            }
            throw new ArgumentException($"device '{Device}' is not recognised (expected cpu, cuda or cuda:N)");
        }
    }

    /// <summary>The TorchSharp scalar type of <see cref="DType"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ScalarType ScalarType => TensorDType.ParseConfigName(DType);

    /// <summary>Moves a module to this device and dtype (floating-point parameters and buffers only).</summary>
    public T Apply<T>(T module) where T : nn.Module
    {
        module.to(TorchDevice);
        if (ScalarType != ScalarType.Float32) module.to(ScalarType);
        return module;
    }

    /// <summary>Checks both settings; returns every problem (empty when valid).</summary>
    public IReadOnlyList<string> Validate(string where)
    {
        var problems = new List<string>();
        try { TensorDType.ParseConfigName(DType); } catch (ArgumentException e) { problems.Add($"{where}.dtype: {e.Message}"); }
        var d = Device.Trim().ToLowerInvariant();
        if (!(d == "cpu" || d == "cuda" || (d.StartsWith("cuda:") && int.TryParse(d[5..], out var i) && i >= 0)))
            problems.Add($"{where}.device: '{Device}' is not recognised (expected cpu, cuda or cuda:N)");
        return problems;
    }
}
