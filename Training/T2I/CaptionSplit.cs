namespace RAE.Grid.Training.T2I;

/// <summary>Which wording a caption may use: the training templates and synonyms, or the held-out ones never trained on.</summary>
public enum CaptionSplit
{
    /// <summary>Templates and synonyms the model is trained on.</summary>
    Seen,
    /// <summary>
    /// Templates and synonyms both kept out of training: prompt-following on them needs the meaning of words the model
    /// never saw, which a pretrained LLM brings and one trained from scratch here cannot.
    /// </summary>
    HeldOut,
    /// <summary>
    /// Held-out templates around the training synonyms: measures whether prompt-following generalizes to new sentence
    /// shapes around class words the model knows.
    /// </summary>
    HeldOutTemplates,
}
