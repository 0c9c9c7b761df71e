namespace RAE.Grid.Contracts;

/// <summary>
/// The names clients may write in the grid's store (through <see cref="IInputWriterGrain"/>), all under
/// <see cref="Prefix"/> so no client can overwrite a job's outputs. Both forms are content-addressed, so a name says
/// what its bytes are and an existing name never needs sending again:
/// <list type="bullet">
/// <item><c>uploads/sha256/&lt;64 lowercase hex&gt;&lt;ext&gt;</c>: an input file whose SHA-256 is the hex; the extension
/// (lowercase letters and digits after a dot, or none) only helps a reader of the store.</item>
/// <item><c>uploads/lists/&lt;64 lowercase hex&gt;.tsv</c>: an <see cref="InputList"/> whose SHA-256 is the hex.</item>
/// </list>
/// </summary>
public static class UploadNames
{
    /// <summary>Every name a client writes starts with this.</summary>
    public const string Prefix = "uploads/";

    /// <summary>Where input files live, under the hex of their SHA-256.</summary>
    public const string ContentPrefix = Prefix + "sha256/";

    /// <summary>Where input lists live, under the hex of their SHA-256.</summary>
    public const string ListsPrefix = Prefix + "lists/";

    /// <summary>The extension of a list name.</summary>
    public const string ListExtension = ".tsv";

    /// <summary>Longest extension of a content name, the dot included.</summary>
    public const int MaxExtensionLength = 16;

    /// <summary>The name of a file whose SHA-256 is <paramref name="sha256Hex"/>: <c>uploads/sha256/&lt;hex&gt;&lt;ext&gt;</c>.
    /// The extension is lowercased, and dropped when it is not a dot and letters or digits.</summary>
    public static string Content(string sha256Hex, string? extension)
    {
        CheckHex(sha256Hex);
        var ext = (extension ?? "").ToLowerInvariant();
        return ContentPrefix + sha256Hex + (IsExtension(ext) ? ext : "");
    }

    /// <summary>The name of an input list whose SHA-256 is <paramref name="sha256Hex"/>: <c>uploads/lists/&lt;hex&gt;.tsv</c>.</summary>
    public static string List(string sha256Hex)
    {
        CheckHex(sha256Hex);
        return ListsPrefix + sha256Hex + ListExtension;
    }

    /// <summary>
    /// The SHA-256 (lowercase hex) the bytes of <paramref name="name"/> must have, or throws
    /// <see cref="ArgumentException"/> naming it when it is not one of the two upload forms.
    /// </summary>
    public static string HashOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith(ContentPrefix, StringComparison.Ordinal))
        {
            var rest = name[ContentPrefix.Length..];
            if (rest.Length >= 64 && IsHex(rest[..64]) && (rest.Length == 64 || IsExtension(rest[64..]))) return rest[..64];
        }
        else if (name.StartsWith(ListsPrefix, StringComparison.Ordinal))
        {
            var rest = name[ListsPrefix.Length..];
            if (rest.Length == 64 + ListExtension.Length && IsHex(rest[..64]) && rest.EndsWith(ListExtension, StringComparison.Ordinal)) return rest[..64];
        }
        throw new ArgumentException(
            $"'{name}' is not an upload name: clients write only '{ContentPrefix}<64 lowercase hex of SHA-256>[.ext]' " +
            $"and '{ListsPrefix}<64 lowercase hex of SHA-256>{ListExtension}'");
    }

    /// <summary>Whether <paramref name="hex"/> is 64 lowercase hex digits (a SHA-256 as these names write it).</summary>
    public static bool IsHex(string hex) => hex.Length == 64 && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    static bool IsExtension(string ext) =>
        ext.Length is >= 2 and <= MaxExtensionLength && ext[0] == '.' && ext.Skip(1).All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'z');

    static void CheckHex(string sha256Hex)
    {
        if (!IsHex(sha256Hex)) throw new ArgumentException($"'{sha256Hex}' is not a SHA-256 in 64 lowercase hex digits");
    }
}
