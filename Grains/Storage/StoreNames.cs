namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Validation of store names, shared by every store so they accept exactly the same names: relative, '/'-separated,
/// no empty, "." or ".." segments, no backslashes or control characters, at most <see cref="MaxLength"/> characters.
/// </summary>
public static class StoreNames
{
    /// <summary>Longest name accepted (Azure's blob name limit is 1024).</summary>
    public const int MaxLength = 1024;

    /// <summary>Returns <paramref name="name"/> or throws <see cref="ArgumentException"/> naming it and the problem.</summary>
    public static string Validate(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("store name is empty");
        if (name.Length > MaxLength) throw new ArgumentException($"store name '{name[..40]}...' is longer than {MaxLength} characters");
        if (name.StartsWith('/')) throw new ArgumentException($"store name '{name}' must be relative (no leading '/')");
        if (name.Any(c => c == '\\' || char.IsControl(c))) throw new ArgumentException($"store name '{name}' contains a backslash or control character");
        foreach (var segment in name.Split('/'))
            if (segment is "" or "." or "..")
                throw new ArgumentException($"store name '{name}' has an empty, '.' or '..' segment");
        return name;
    }
}
