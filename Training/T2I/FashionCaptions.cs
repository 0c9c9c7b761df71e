namespace RAE.Grid.Training.T2I;

/// <summary>
/// Captions for Fashion-MNIST images, composed from templates and per-class synonyms ("a photo of an ankle boot",
/// "product shot: a pullover"). Seen and held-out wordings are disjoint: a held-out caption uses a template and a synonym
/// never seen in training, so prompt-following on held-out captions measures generalization, not memory. Deterministic:
/// caption k of a class is a function of (class, k, split) alone; nothing is stored but this code.
/// </summary>
public static class FashionCaptions
{
    /// <summary>Training templates; <c>{0}</c> is the noun phrase with its article.</summary>
    public static readonly string[] SeenTemplates =
    [
        "a photo of {0}", "an image of {0}", "product shot: {0}", "{0}", "a picture of {0}", "a grayscale photo of {0}",
        "a small photo of {0}", "a catalog photo of {0}",
    ];

    /// <summary>Held-out templates, never trained on.</summary>
    public static readonly string[] HeldOutTemplates = ["a low resolution image showing {0}", "here is {0}", "a studio shot of {0}"];

    /// <summary>Training synonyms per class (index = Fashion-MNIST label); the first is the class name in lower case.</summary>
    public static readonly string[][] SeenSynonyms =
    [
        ["t-shirt", "top", "tee"],
        ["trouser", "pair of pants", "pair of trousers"],
        ["pullover", "sweater"],
        ["dress", "summer dress"],
        ["coat", "jacket"],
        ["sandal", "summer sandal"],
        ["shirt", "blouse"],
        ["sneaker", "trainer"],
        ["bag", "handbag"],
        ["ankle boot", "boot"],
    ];

    /// <summary>Held-out synonyms per class, never trained on.</summary>
    public static readonly string[][] HeldOutSynonyms =
    [
        ["tank top"], ["pair of slacks"], ["jumper"], ["gown"], ["overcoat"], ["strappy sandal"], ["button-down shirt"],
        ["running shoe"], ["purse"], ["bootie"],
    ];

    /// <summary>Number of classes captions exist for.</summary>
    public static int Classes => SeenSynonyms.Length;

    /// <summary>"a" or "an" before <paramref name="noun"/> (by its first letter: enough for these nouns).</summary>
    public static string WithArticle(string noun) => ("aeiou".Contains(noun[0]) ? "an " : "a ") + noun;

    /// <summary>Every caption of <paramref name="label"/> in <paramref name="split"/>: each template with each synonym.</summary>
    public static IReadOnlyList<string> All(int label, CaptionSplit split)
    {
        var (templates, synonyms) = Wordings(label, split);
        return templates.SelectMany(t => synonyms.Select(s => string.Format(t, WithArticle(s)))).ToList();
    }

    /// <summary>Caption <paramref name="k"/> of <paramref name="label"/> (any k ≥ 0; wraps around <see cref="All"/>).</summary>
    public static string Caption(int label, long k, CaptionSplit split)
    {
        var all = All(label, split);
        return all[(int)(k % all.Count)];
    }

    /// <summary>A caption of <paramref name="label"/> drawn with <paramref name="random"/>.</summary>
    public static string Sample(int label, Random random, CaptionSplit split = CaptionSplit.Seen)
    {
        var (templates, synonyms) = Wordings(label, split);
        return string.Format(templates[random.Next(templates.Length)], WithArticle(synonyms[random.Next(synonyms.Length)]));
    }

    /// <summary>The class a caption names, by its synonym (seen or held-out); null when it names none.</summary>
    public static int? LabelOf(string caption)
    {
        // Longest synonym first, so "ankle boot" wins over "boot" and "pair of slacks" is not read as something shorter.
        var best = (Label: (int?)null, Length: 0);
        for (var label = 0; label < Classes; label++)
            foreach (var s in SeenSynonyms[label].Concat(HeldOutSynonyms[label]))
                if (s.Length > best.Length && ContainsWord(caption, s)) best = (label, s.Length);
        return best.Label;
    }

    static bool ContainsWord(string text, string phrase)
    {
        for (var at = text.IndexOf(phrase, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(phrase, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var end = at + phrase.Length;
            if ((at == 0 || !char.IsLetter(text[at - 1])) && (end == text.Length || !char.IsLetter(text[end]))) return true;
        }
        return false;
    }

    static (string[] Templates, string[] Synonyms) Wordings(int label, CaptionSplit split)
    {
        if (label < 0 || label >= Classes) throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is outside 0..{Classes - 1}");
        return split switch
        {
            CaptionSplit.Seen => (SeenTemplates, SeenSynonyms[label]),
            CaptionSplit.HeldOutTemplates => (HeldOutTemplates, SeenSynonyms[label]),
            _ => (HeldOutTemplates, HeldOutSynonyms[label]),
        };
    }
}
