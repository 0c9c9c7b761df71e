namespace RAE.Grid.Training.T2I;

/// <summary>Which wording a caption may use: the training templates and synonyms, or the held-out ones never trained on.</summary>
public enum CaptionSplit
{
    /// <summary>Templates and synonyms the model is trained on.</summary>
    Seen,
    /// <summary>Templates and synonyms kept out of training, to measure whether prompt-following generalizes.</summary>
    HeldOut,
}
