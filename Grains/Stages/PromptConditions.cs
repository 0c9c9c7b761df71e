using Microsoft.Extensions.Options;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The condition tokens a silo's text stage computed, by (bundle, prompt): the N candidates of a best-of-N item, and every
/// sample of a prompt, ask for the same prompt, and the LLM runs for it once. A request for a prompt being computed waits
/// for that computation instead of starting another. Bounded by <see cref="PipelineOptions.ConditionCacheBytes"/>: least
/// recently used first out; a failed computation is not kept, so the next request tries again.
/// </summary>
public sealed class PromptConditions(IOptions<GridOptions> options)
{
    private readonly Dictionary<(string Bundle, string Prompt), LinkedListNode<Entry>> _byKey = new();
    private readonly LinkedList<Entry> _leastRecentFirst = new();
    private long _bytes;

    private sealed record Entry((string Bundle, string Prompt) Key, Task<TensorPayload> Condition)
    {
        public long Bytes { get; set; }
    }

    /// <summary>Prompts held (computed or being computed).</summary>
    public int Count { get { lock (_byKey) return _byKey.Count; } }

    /// <summary>Requests answered without running the LLM since the silo started.</summary>
    public long Hits { get; private set; }

    /// <summary>The condition of <paramref name="prompt"/>: the one held, the one being computed, or <paramref name="compute"/>'s.</summary>
    public Task<TensorPayload> GetOrCompute(string bundle, string prompt, Func<Task<TensorPayload>> compute)
    {
        Entry entry;
        lock (_byKey)
        {
            if (_byKey.TryGetValue((bundle, prompt), out var node))
            {
                _leastRecentFirst.Remove(node);
                _leastRecentFirst.AddLast(node);
                Hits++;
                return node.Value.Condition;
            }
            entry = new Entry((bundle, prompt), compute());
            _byKey[entry.Key] = _leastRecentFirst.AddLast(entry);
        }
        _ = entry.Condition.ContinueWith(t => Settle(entry, t), TaskScheduler.Default);
        return entry.Condition;
    }

    private void Settle(Entry entry, Task<TensorPayload> done)
    {
        var limit = options.Value.Pipeline.ConditionCacheBytes;
        lock (_byKey)
        {
            if (!_byKey.TryGetValue(entry.Key, out var node) || node.Value != entry) return;
            if (!done.IsCompletedSuccessfully || done.Result.Data.LongLength > limit) { Remove(node); return; }
            entry.Bytes = done.Result.Data.LongLength;
            _bytes += entry.Bytes;
            while (_bytes > limit && _leastRecentFirst.First is { } oldest) Remove(oldest);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _byKey.Remove(node.Value.Key);
        _leastRecentFirst.Remove(node);
        _bytes -= node.Value.Bytes;
    }
}
