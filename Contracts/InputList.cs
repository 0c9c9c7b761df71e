namespace RAE.Grid.Contracts;

/// <summary>
/// The format of a stored input list (<see cref="JobRequest.InputList"/>): UTF-8 text, one image per line,
/// <c>name&lt;TAB&gt;store name</c>, in item order. The name names the item in outputs and errors (a file name); the
/// store name is where its bytes are (e.g. <c>uploads/sha256/&lt;hex&gt;.png</c>). Lines are written and read by the
/// client and the job planner through these two methods only.
/// </summary>
public static class InputList
{
    /// <summary>Content type the list is stored with.</summary>
    public const string ContentType = "text/tab-separated-values";

    /// <summary>One line (without its newline) for an image called <paramref name="name"/> stored at <paramref name="source"/>.</summary>
    public static string Line(string name, string source)
    {
        if (name.Contains('\t') || name.Contains('\n') || name.Contains('\r')) throw new ArgumentException($"input name '{name}' contains a tab or newline");
        if (source.Contains('\t') || source.Contains('\n') || source.Contains('\r')) throw new ArgumentException($"store name '{source}' contains a tab or newline");
        return $"{name}\t{source}";
    }

    /// <summary>The name and store name of line <paramref name="lineNumber"/> (1-based, for the error) of list <paramref name="list"/>.</summary>
    public static (string Name, string Source) Parse(string line, string list, long lineNumber)
    {
        var tab = line.IndexOf('\t');
        if (tab <= 0 || tab == line.Length - 1 || line.IndexOf('\t', tab + 1) >= 0)
            throw new ArgumentException($"input list '{list}' line {lineNumber}: expected 'name<TAB>store name', got '{(line.Length > 80 ? line[..80] + "..." : line)}'");
        return (line[..tab], line[(tab + 1)..]);
    }
}
