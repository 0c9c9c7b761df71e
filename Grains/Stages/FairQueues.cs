namespace RAE.Grid.Grains.Stages;

/// <summary>
/// Waiting requests of a <see cref="StageBatcher{TIn,TOut}"/>, one queue per fairness key (a job), served by priority
/// and then round robin: each take goes to the highest-priority key with a matching item — the next such key in
/// rotation when several share that priority — and takes that key's earliest matching item, so a key's items leave in
/// arrival order among those that match. A key joins the rotation at its end when its first
/// item arrives and leaves it when its queue empties. Not thread-safe: only the batcher's worker thread uses it.
/// </summary>
internal sealed class FairQueues<T>
{
    private sealed class KeyQueue(string key, int priority)
    {
        public string Key { get; } = key;
        public int Priority { get; } = priority;
        public LinkedList<T> Items { get; } = new();
    }

    private readonly Dictionary<string, KeyQueue> _byKey = new(StringComparer.Ordinal);
    private readonly List<KeyQueue> _rotation = new();
    private int _next; // index in _rotation of the key served next

    /// <summary>Items waiting, over all keys.</summary>
    public int Count { get; private set; }

    /// <summary>Keys with waiting items.</summary>
    public int Keys => _rotation.Count;

    /// <summary>
    /// Queues <paramref name="item"/> behind the earlier items of <paramref name="key"/>; a key's priority is the one its
    /// first waiting item brought (a job's items all carry the job's priority).
    /// </summary>
    public void Add(string key, T item, int priority = 0)
    {
        if (!_byKey.TryGetValue(key, out var queue))
        {
            queue = new KeyQueue(key, priority);
            _byKey.Add(key, queue);
            // The end of the rotation is just before the key served next: a new key waits for one full round at most.
            _rotation.Insert(_next, queue);
            _next = (_next + 1) % _rotation.Count;
        }
        queue.Items.AddLast(item);
        Count++;
    }

    /// <summary>
    /// Takes the earliest item matching <paramref name="match"/> of the highest-priority key that has one (the next in
    /// rotation among equals), and moves the rotation past that key. False when no key has a matching item.
    /// </summary>
    public bool TryTake(Func<T, bool> match, out T item)
    {
        int bestIndex = -1;
        LinkedListNode<T>? best = null;
        for (int k = 0; k < _rotation.Count; k++)
        {
            int index = (_next + k) % _rotation.Count;
            var queue = _rotation[index];
            if (best is not null && queue.Priority <= _rotation[bestIndex].Priority) continue;
            for (var node = queue.Items.First; node is not null; node = node.Next)
            {
                if (!match(node.Value)) continue;
                (best, bestIndex) = (node, index);
                break;
            }
        }
        if (best is null)
        {
            item = default!;
            return false;
        }
        var taken = _rotation[bestIndex];
        item = best.Value;
        taken.Items.Remove(best);
        Count--;
        if (taken.Items.Count == 0)
        {
            _rotation.RemoveAt(bestIndex);
            _byKey.Remove(taken.Key);
            // The key after the emptied one has moved into its index.
            _next = _rotation.Count == 0 ? 0 : bestIndex % _rotation.Count;
        }
        else _next = (bestIndex + 1) % _rotation.Count;
        return true;
    }
}
