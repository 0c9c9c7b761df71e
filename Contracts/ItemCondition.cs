namespace RAE.Grid.Contracts;

/// <summary>
/// What one generated item is conditioned on: a class label (class-conditional bundles) or a text prompt (text-to-image
/// bundles, Scale-RAE), never both and never a sentinel. Build it with <see cref="Class"/> or <see cref="Prompt"/>. A
/// request's conditions are checked once, at submit (<see cref="GenerateSpec.ConditionProblems"/>); whether a label is
/// one of the bundle's classes is the diffusion stage's to say, since only it knows the bundle.
/// </summary>
[GenerateSerializer, Immutable, Alias("rae.ItemCondition")]
public sealed record ItemCondition
{
    ItemCondition(int? label, string? text) { Label = label; Text = text; }

    /// <summary>The class label of a class condition; null for a prompt.</summary>
    [Id(0)] public int? Label { get; private init; }

    /// <summary>The prompt of a text condition; null for a class.</summary>
    [Id(1)] public string? Text { get; private init; }

    /// <summary>A class condition (checked against the bundle's classes by the stage that samples it).</summary>
    public static ItemCondition Class(int label) => new(label, null);

    /// <summary>A prompt condition; <paramref name="prompt"/> must not be null.</summary>
    public static ItemCondition Prompt(string prompt) => new(null, prompt ?? throw new ArgumentNullException(nameof(prompt)));

    /// <summary>True for a prompt, false for a class.</summary>
    public bool IsPrompt => Text is not null;

    /// <summary>"class 3" or "prompt 'a sneaker'", for messages.</summary>
    public override string ToString() => IsPrompt ? $"prompt '{Text}'" : $"class {Label}";
}
