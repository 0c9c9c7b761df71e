using System.Text.RegularExpressions;

namespace RAE.Grid.Contracts;

/// <summary>
/// Which job ids the grid accepts: 1 to <see cref="MaxLength"/> letters, digits, '.', '-' or '_', starting with a letter
/// or digit, never "..". A job's id becomes part of its store names and grain keys, so an id like <c>a/../b</c> is refused
/// by the client before sending and by the job grain itself.
/// </summary>
public static partial class JobIds
{
    /// <summary>Longest job id.</summary>
    public const int MaxLength = 128;

    /// <summary>The pattern a job id matches.</summary>
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$";

    [GeneratedRegex(Pattern)]
    private static partial Regex Allowed();

    /// <summary>Why <paramref name="id"/> is not a job id, naming the field and the rule; null when it is one.</summary>
    public static string? ProblemOf(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "job id: is empty";
        var shown = id.Length > 40 ? id[..40] + "..." : id;
        shown = string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        if (id.Length > MaxLength) return $"job id: '{shown}' is {id.Length} characters, over MaxLength {MaxLength}";
        if (!Allowed().IsMatch(id) || id.Contains(".."))
            return $"job id: '{shown}' is not allowed (pattern {Pattern}, no '..')";
        return null;
    }

    /// <summary>Returns <paramref name="id"/>, or throws an <see cref="ArgumentException"/> naming the problem.</summary>
    public static string Validate(string? id) => ProblemOf(id) is { } problem ? throw new ArgumentException(problem) : id!;
}
