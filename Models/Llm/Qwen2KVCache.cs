using static TorchSharp.torch;

namespace RAE.Grid.Models.Llm;

/// <summary>
/// Keys and values of every layer for the tokens seen so far (HF's <c>past_key_values</c>), stored after RoPE and
/// before the grouped-query repeat: [B, kvHeads, T, headDim] per layer. Each forward with a cache appends its tokens;
/// <see cref="Length"/> is the next token's position. Owns its tensors: dispose it when decoding ends.
/// </summary>
public sealed class Qwen2KVCache : IDisposable
{
    private readonly Tensor?[] _keys, _values;

    /// <summary>An empty cache for a model of <paramref name="layers"/> layers.</summary>
    public Qwen2KVCache(int layers)
    {
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
    }

    /// <summary>Tokens cached so far (0 when empty).</summary>
    public long Length => _keys[0]?.shape[2] ?? 0;

    /// <summary>Appends a layer's new keys and values and returns the whole cached sequence of that layer.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var k = _keys[layer] is { } pk ? cat([pk, keys], 2) : keys.alias();
        var v = _values[layer] is { } pv ? cat([pv, values], 2) : values.alias();
        _keys[layer]?.Dispose();
        _values[layer]?.Dispose();
        k.DetachFromDisposeScope();
        v.DetachFromDisposeScope();
        _keys[layer] = k;
        _values[layer] = v;
        return (k.alias(), v.alias());
    }

    public void Dispose()
    {
        foreach (var t in _keys) t?.Dispose();
        foreach (var t in _values) t?.Dispose();
        Array.Clear(_keys);
        Array.Clear(_values);
    }
}
