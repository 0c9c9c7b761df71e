namespace RAE.Grid.Client;

/// <summary>
/// A prompts file for text-to-image jobs: UTF-8, one prompt per line (a trailing '\r' is dropped, blank lines are
/// skipped), in order — prompt k of the job is the k-th non-blank line.
/// </summary>
public static class PromptList
{
    /// <summary>The prompts of <paramref name="path"/>; an <see cref="ArgumentException"/> naming the file when it has none.</summary>
    public static string[] Read(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"prompts file not found: {path}");
        var prompts = Parse(File.ReadAllText(path));
        return prompts.Length > 0 ? prompts : throw new ArgumentException($"prompts file {path}: no prompt in it (one per line)");
    }

    /// <summary>The prompts of a file's text.</summary>
    public static string[] Parse(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !string.IsNullOrWhiteSpace(l)).ToArray();
}
