namespace RAE.Grid.Models.Verifiers;

/// <summary>
/// What a candidate was generated for: its class label and, when there is one, the condition text (the class name for a
/// class-conditional bundle, the prompt for a text-to-image one). Verifiers read the part they understand.
/// </summary>
/// <param name="Label">Class label (-1 when the condition is text only).</param>
/// <param name="Text">Condition text, or null.</param>
public readonly record struct LatentCondition(int Label, string? Text = null);
