namespace RAE.Grid.Contracts;

/// <summary>
/// A generation job's items and settings: every class (or, for a text-to-image bundle, every prompt) × <see cref="PerClass"/>
/// samples. A job is class-conditional or prompted, never both: <see cref="ForPrompts"/> builds a prompted one. The two
/// arrays are what job state persists; <see cref="ConditionAt"/> is how they are read, as <see cref="ItemCondition"/>s,
/// and <see cref="ConditionProblems"/> the one check that they hold exactly one kind of condition.
/// </summary>
/// <param name="Classes">Class labels to sample (empty for a prompted job).</param>
/// <param name="PerClass">Samples per class, or per prompt.</param>
/// <param name="Seed">Run seed: item i's starting noise depends only on (seed, i).</param>
/// <param name="Sampling">Sampler and guidance; null or unset fields take the bundle's defaults.</param>
/// <param name="OutputSize">Resize outputs to this side (pixels); null keeps the bundle's image size.</param>
/// <param name="BestOf">Best-of-N: sample N candidates per item and keep the verifier's best k (null: one sample per item).</param>
/// <param name="Prompts">Text prompts of a text-to-image job (Scale-RAE); null or empty for a class-conditional one.</param>
[GenerateSerializer, Immutable, Alias("rae.GenerateSpec")]
public sealed record GenerateSpec(
    [property: Id(0)] int[] Classes,
    [property: Id(1)] int PerClass,
    [property: Id(2)] long Seed,
    [property: Id(3)] SamplingSpec? Sampling = null,
    [property: Id(4)] int? OutputSize = null,
    [property: Id(5)] BestOfSpec? BestOf = null,
    [property: Id(6)] string[]? Prompts = null)
{
    /// <summary>A text-to-image request: every prompt × <paramref name="perPrompt"/> samples.</summary>
    public static GenerateSpec ForPrompts(string[] prompts, int perPrompt, long seed, SamplingSpec? sampling = null,
        int? outputSize = null, BestOfSpec? bestOf = null) => new([], perPrompt, seed, sampling, outputSize, bestOf, prompts);

    /// <summary>True for a text-to-image request (it has prompts).</summary>
    public bool IsPrompted() => Prompts is { Length: > 0 };

    /// <summary>How many conditions the items are drawn from: prompts of a prompted request, else classes.</summary>
    public int Conditions() => IsPrompted() ? Prompts!.Length : Classes?.Length ?? 0;

    /// <summary>Condition <paramref name="k"/> (an index into the prompts of a prompted request, else into the classes).</summary>
    public ItemCondition ConditionAt(int k) => IsPrompted() ? ItemCondition.Prompt(Prompts![k]) : ItemCondition.Class(Classes[k]);

    /// <summary>
    /// Every problem with the conditions, each naming the field: classes or prompts (exactly one of them non-empty),
    /// no negative class, no blank prompt (the first five of each). Counts and lengths are the grid's limits to bound.
    /// </summary>
    public IReadOnlyList<string> ConditionProblems()
    {
        var p = new List<string>();
        if (IsPrompted() && Classes is { Length: > 0 }) p.Add("classes: a Generate job has classes or prompts, not both (prompts need a text-to-image bundle)");
        else if (!IsPrompted() && Classes is not { Length: > 0 }) p.Add("classes: a Generate job needs at least one class or prompt");
        foreach (var (c, i) in (Classes ?? []).Select((c, i) => (c, i)).Where(x => x.c < 0).Take(5))
            p.Add($"classes[{i}]: {c} is negative");
        foreach (var i in Enumerable.Range(0, Prompts?.Length ?? 0).Where(i => string.IsNullOrWhiteSpace(Prompts![i])).Take(5))
            p.Add($"prompts[{i}]: empty");
        return p;
    }

    /// <summary>Items (selection groups) of the request: conditions × per-class.</summary>
    public long Items() => (long)Conditions() * PerClass;

    // Methods, not properties: job state serializes this record by its properties.
    /// <summary>Outputs per item: <see cref="BestOfSpec.Keep"/> with best-of-N, else 1.</summary>
    public int OutputsPerItem() => BestOf?.Keep ?? 1;

    /// <summary>Outputs of the whole request: conditions × per-class × outputs per item.</summary>
    public long Outputs() => Items() * OutputsPerItem();
}
