using System.Text;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The items of one partition, derived from its plan: a generate item's class or prompt from its index, an image item's name and
/// store name from the partition's plan file (read once per activation: a partition's worth of lines). Every output
/// name comes from <see cref="ItemNames"/>.
/// </summary>
public sealed class PartitionItems
{
    private readonly string[] _names;
    private readonly string[] _sources;

    private PartitionItems(PartitionPlan plan, string[] names, string[] sources) { Plan = plan; _names = names; _sources = sources; }

    /// <summary>The plan these items come from.</summary>
    public PartitionPlan Plan { get; }

    /// <summary>Reads the plan file of an image partition (nothing to read for generation).</summary>
    public static async Task<PartitionItems> LoadAsync(PartitionPlan plan, IOutputStore store, CancellationToken ct)
    {
        if (plan.Inputs is null) return new PartitionItems(plan, [], []);
        var bytes = await store.GetAsync(plan.Inputs, ct) ?? throw new InvalidOperationException($"plan file '{plan.Inputs}' of partition {plan.Index} is missing");
        var lines = Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != plan.Count) throw new InvalidOperationException($"plan file '{plan.Inputs}' has {lines.Length} lines for {plan.Count} items");
        var parsed = lines.Select((l, i) => InputList.Parse(l, plan.Inputs, i + 1)).ToArray();
        return new PartitionItems(plan, parsed.Select(p => p.Name).ToArray(), parsed.Select(p => p.Source).ToArray());
    }

    /// <summary>Job-wide index of local item <paramref name="local"/>.</summary>
    public int IndexOf(int local) => Plan.Start + local;

    /// <summary>What a generate item is conditioned on: its class, or its prompt.</summary>
    public ItemCondition ConditionOf(int local)
    {
        var g = Plan.Generate ?? throw new InvalidOperationException($"partition {Plan.Index} is not a generate partition: its items have no condition");
        // A partition's spec holds only its own prompts (from the job's PromptOffset on), but every class.
        return g.ConditionAt(ConditionIndexOf(local) - (g.IsPrompted() ? Plan.PromptOffset : 0));
    }

    /// <summary>Index of the class (in the request's classes) or prompt (in its prompts) a generate item is conditioned on.</summary>
    public int ConditionIndexOf(int local) => Plan.Generate is { } g ? IndexOf(local) / (g.PerClass * g.OutputsPerItem()) : 0;

    /// <summary>
    /// The generate item (best-of-N selection group) a job-wide output belongs to: with best-of-N, item i's kept outputs
    /// are i·keep … i·keep + keep − 1 (best first); otherwise an item is its output.
    /// </summary>
    public long ItemOf(int local) => Plan.Generate is { } g ? IndexOf(local) / g.OutputsPerItem() : IndexOf(local);

    /// <summary>Best-of-N: the rank (0 = best) of the kept candidate this output holds.</summary>
    public int RankOf(int local) => Plan.Generate is { } g ? IndexOf(local) % g.OutputsPerItem() : 0;

    /// <summary>What the item came from, for people: the image's name, "class 3" or "prompt 3".</summary>
    public string InputOf(int local) => Plan.Generate is { } g ? g.IsPrompted() ? $"prompt {ConditionIndexOf(local)}" : $"class {ConditionOf(local).Label}" : _names[local];

    /// <summary>Store name of the item's input image (null for generation).</summary>
    public string? SourceOf(int local) => Plan.Generate is not null ? null : _sources[local];

    /// <summary>Store name of the item's output: its PNG, or the shard holding its latent.</summary>
    public string OutputOf(int local) => Plan.Kind switch
    {
        JobKind.Generate when Plan.Generate!.IsPrompted() => ItemNames.Prompted(Plan.OutputPrefix, IndexOf(local), ConditionIndexOf(local)),
        JobKind.Generate => ItemNames.Generated(Plan.OutputPrefix, IndexOf(local), ConditionOf(local).Label!.Value),
        JobKind.Encode => ItemNames.Shard(Plan.OutputPrefix, IndexOf(local) / Plan.ShardSize),
        _ => ItemNames.Reconstructed(Plan.OutputPrefix, IndexOf(local), _names[local]),
    };
}
