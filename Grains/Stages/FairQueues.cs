namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Waiting requests of a <see cref="StageBatcher{TIn,TOut}"/>, one queue per fairness key (a job), served round robin:
/// each take goes to the next key in rotation that has a matching item and takes that key's earliest matching item, so
/// a key's items leave in arrival order among those that match. A key joins the rotation at its end when its first
/// item arrives and leaves it when its queue empties. Not thread-safe: only the batcher's worker thread uses it.
/// </summary>
internal sealed class FairQueues<T>
{
    private sealed class KeyQueue(string key)
    {
        public string Key { get; } = key;
        public LinkedList<T> Items { get; } = new();
    }

    private readonly Dictionary<string, KeyQueue> _byKey = new(StringComparer.Ordinal);
    private readonly List<KeyQueue> _rotation = new();
    private int _next; // index in _rotation of the key served next

    /// <summary>Items waiting, over all keys.</summary>
    public int Count { get; private set; }

    /// <summary>Keys with waiting items.</summary>
    public int Keys => _rotation.Count;

    /// <summary>Queues <paramref name="item"/> behind the earlier items of <paramref name="key"/>.</summary>
    public void Add(string key, T item)
    {
        if (!_byKey.TryGetValue(key, out var queue))
        {
            queue = new KeyQueue(key);
            _byKey.Add(key, queue);
            // The end of the rotation is just before the key served next: a new key waits for one full round at most.
            _rotation.Insert(_next, queue);
            _next = (_next + 1) % _rotation.Count;
        }
        queue.Items.AddLast(item);
        Count++;
    }

    /// <summary>
    /// Takes the earliest item matching <paramref name="match"/> of the next key in rotation that has one, and moves the
    /// rotation past that key. False when no key has a matching item.
    /// </summary>
    public bool TryTake(Func<T, bool> match, out T item)
    {
        for (int k = 0; k < _rotation.Count; k++)
        {
            int index = (_next + k) % _rotation.Count;
            var queue = _rotation[index];
            for (var node = queue.Items.First; node is not null; node = node.Next)
            {
                if (!match(node.Value)) continue;
                item = node.Value;
                queue.Items.Remove(node);
                Count--;
                if (queue.Items.Count == 0)
                {
                    _rotation.RemoveAt(index);
                    _byKey.Remove(queue.Key);
                    // The key after the emptied one has moved into its index.
                    _next = _rotation.Count == 0 ? 0 : index % _rotation.Count;
                }
                else _next = (index + 1) % _rotation.Count;
                return true;
            }
        }
        item = default!;
        return false;
    }
}
