namespace RAE.Grid.Grains.Storage;

/// <summary>
/// Validation of store names, shared by every store so they accept exactly the same names: relative, '/'-separated,
/// no empty, "." or ".." segments, no backslashes or control characters, at most <see cref="MaxLength"/> characters.
/// These rules are what makes a name unable to escape a <see cref="LocalDirectoryStore"/>'s root.
/// </summary>
public static class StoreNames
{
    /// <summary>Longest name accepted (Azure's blob name limit is 1024).</summary>
    public const int MaxLength = 1024;

    /// <summary>Returns <paramref name="name"/> or throws <see cref="ArgumentException"/> naming it and the problem.</summary>
    public static string Validate(string name)
    {
        var problem = ProblemOf(name);
        if (problem is not null) throw new ArgumentException(problem);
        return name;
    }

    /// <summary>Whether <paramref name="name"/> passes <see cref="Validate"/>.</summary>
    public static bool IsValid(string name) => ProblemOf(name) is null;

    /// <summary>
    /// Returns <paramref name="prefix"/> or throws <see cref="ArgumentException"/> naming it. A list prefix is a name
    /// cut anywhere: it may be empty (everything), end with '/' (a folder) or end inside a segment ("jobs/ab");
    /// every segment before the last must be a valid name segment.
    /// </summary>
    public static string ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0) return prefix;
        if (prefix.Length > MaxLength) throw new ArgumentException($"store prefix '{prefix[..40]}...' is longer than {MaxLength} characters");
        if (prefix.StartsWith('/')) throw new ArgumentException($"store prefix '{prefix}' must be relative (no leading '/')");
        if (prefix.Any(IsForbidden)) throw new ArgumentException($"store prefix '{prefix}' contains a backslash or control character");
        var segments = prefix.Split('/');
        // The last piece is a partial segment ("" after a trailing '/', or "ab" of "abc"), so it is not checked.
        foreach (var segment in segments[..^1])
            if (segment is "" or "." or "..")
                throw new ArgumentException($"store prefix '{prefix}' has an empty, '.' or '..' segment");
        return prefix;
    }

    static string? ProblemOf(string name)
    {
        if (string.IsNullOrEmpty(name)) return "store name is empty";
        if (name.Length > MaxLength) return $"store name '{name[..40]}...' is longer than {MaxLength} characters";
        if (name.StartsWith('/')) return $"store name '{name}' must be relative (no leading '/')";
        if (name.Any(IsForbidden)) return $"store name '{name}' contains a backslash or control character";
        foreach (var segment in name.Split('/'))
            if (segment is "" or "." or "..")
                return $"store name '{name}' has an empty, '.' or '..' segment";
        return null;
    }

    static bool IsForbidden(char c) => c == '\\' || char.IsControl(c);
}
