using Microsoft.Extensions.Options;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The latents of best-of-N candidates that a silo's diffusion stage sampled and had scored, held until their partition
/// has chosen the winners: a winner is taken (and sent to the decoder), a loser released. Bounded by
/// <see cref="PipelineOptions.CandidateCacheBytes"/>: when full, the oldest are dropped, and a winner no longer here is
/// sampled again from its seed (the same latent) — so the cache trades memory for diffusion work, never for correctness.
/// </summary>
public sealed class CandidateLatents(IOptions<GridOptions> options)
{
    private readonly Dictionary<(string Job, long Seed), LinkedListNode<(string Job, long Seed, TensorPayload Latent)>> _byKey = new();
    private readonly LinkedList<(string Job, long Seed, TensorPayload Latent)> _oldestFirst = new();
    private long _bytes;

    /// <summary>Latents held now.</summary>
    public int Count { get { lock (_byKey) return _byKey.Count; } }

    /// <summary>Latents dropped to stay under the bound since the silo started.</summary>
    public long Evicted { get; private set; }

    /// <summary>Holds <paramref name="latent"/> of candidate <paramref name="seed"/> of <paramref name="job"/>.</summary>
    public void Put(string job, long seed, TensorPayload latent)
    {
        var limit = options.Value.Pipeline.CandidateCacheBytes;
        lock (_byKey)
        {
            Remove((job, seed));
            if (latent.Data.LongLength > limit) { Evicted++; return; }
            _byKey[(job, seed)] = _oldestFirst.AddLast((job, seed, latent));
            _bytes += latent.Data.LongLength;
            while (_bytes > limit && _oldestFirst.First is { } oldest)
            {
                Remove((oldest.Value.Job, oldest.Value.Seed));
                Evicted++;
            }
        }
    }

    /// <summary>Takes (removes and returns) the latent of candidate <paramref name="seed"/>, or null when it is not held.</summary>
    public TensorPayload? Take(string job, long seed)
    {
        lock (_byKey)
        {
            if (!_byKey.TryGetValue((job, seed), out var node)) return null;
            Remove((job, seed));
            return node.Value.Latent;
        }
    }

    /// <summary>Drops the latents of <paramref name="seeds"/> (candidates not kept).</summary>
    public void Release(string job, IEnumerable<long> seeds)
    {
        lock (_byKey) foreach (var seed in seeds) Remove((job, seed));
    }

    private void Remove((string, long) key)
    {
        if (!_byKey.Remove(key, out var node)) return;
        _oldestFirst.Remove(node);
        _bytes -= node.Value.Latent.Data.LongLength;
    }
}
