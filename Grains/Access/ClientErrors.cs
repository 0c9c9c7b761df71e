using System.Text.RegularExpressions;
using RAE.Grid.Contracts;

namespace RAE.Grid.Grains.Access;

/// <summary>
/// What of an error may reach a client: no absolute server path (a silo's store folder, a bundle file, a temp file) and
/// no secret (a storage key, a SAS signature, a password). Store names (relative: <c>jobs/x/00001.png</c>) and the
/// client's own input names stay, so a message still names the item and the field.
/// </summary>
public static partial class ClientErrors
{
    /// <summary>What replaces an absolute path in a message.</summary>
    public const string PathMark = "<server path>";

    /// <summary>What replaces a secret in a message.</summary>
    public const string SecretMark = "<secret>";

    // An absolute Unix path (at least two segments, not inside a word or a relative name), a Windows path, or a URL.
    [GeneratedRegex(@"(?<![\w.\-/])/(?:[^\s'""/:;,)]+/)+[^\s'""/:;,)]*|\b[A-Za-z]:\\[^\s'"";,)]*|\b[a-z][a-z0-9+.\-]*://[^\s'"";,)]+", RegexOptions.IgnoreCase)]
    private static partial Regex PathPattern();

    // key=value pairs that hold secrets in connection strings and URLs.
    [GeneratedRegex(@"\b(AccountKey|SharedAccessSignature|SharedAccessKey|sig|password|pwd|secret)=[^;&\s'""]+", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();

    /// <summary><paramref name="message"/> with paths and secrets replaced by <see cref="PathMark"/> and <see cref="SecretMark"/>.</summary>
    public static string Sanitize(string message)
    {
        if (string.IsNullOrEmpty(message)) return message;
        var s = SecretPattern().Replace(message, m => $"{m.Groups[1].Value}={SecretMark}");
        return PathPattern().Replace(s, PathMark);
    }

    /// <summary>A sanitised copy of a client-bound result (statuses and item errors); other values as they are.</summary>
    public static object? SanitizeResult(object? result) => result switch
    {
        JobStatus s => s with { Errors = Sanitize(s.Errors), Message = s.Message is null ? null : Sanitize(s.Message) },
        ItemError[] errors => Sanitize(errors),
        _ => result,
    };

    static ItemError[] Sanitize(ItemError[] errors) =>
        errors.Any(e => Sanitize(e.Message) != e.Message || Sanitize(e.Input) != e.Input)
            ? errors.Select(e => e with { Input = Sanitize(e.Input), Message = Sanitize(e.Message) }).ToArray()
            : errors;

    /// <summary>
    /// The exception a client gets for <paramref name="error"/>: the grid's own errors (bad requests, refusals, busy
    /// stages, Orleans' retryable errors) keep their type, with the message sanitised; anything else (an I/O or store
    /// failure, a bug) becomes an <see cref="InvalidOperationException"/> that names only the call and the error's type —
    /// the silo's log has the rest. Returns null when <paramref name="error"/> may pass unchanged.
    /// </summary>
    public static Exception? ForClient(Exception error, string call)
    {
        switch (error)
        {
            case OrleansException or TimeoutException or OperationCanceledException or StageBusyException:
                return null; // the runtime's own messages; clients retry on these types
            case AccessDeniedException or ArgumentException or InvalidOperationException or KeyNotFoundException
                or ItemRejectedException or PayloadTooLargeException or NotSupportedException or FormatException:
                var clean = Sanitize(error.Message);
                if (clean == error.Message) return null;
                return error switch
                {
                    ArgumentException => new ArgumentException(clean),
                    AccessDeniedException => new AccessDeniedException(clean),
                    ItemRejectedException => new ItemRejectedException(clean),
                    KeyNotFoundException => new KeyNotFoundException(clean),
                    _ => new InvalidOperationException(clean),
                };
            default:
                return new InvalidOperationException($"{call} failed on the grid ({error.GetType().Name}); the silo's log has the details");
        }
    }
}
