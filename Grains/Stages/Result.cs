namespace RAE.Grid.Grains.Stages;

/// <summary>One item's outcome in a batch: a value or an error.</summary>
public readonly record struct Result<T>(T? Value, Exception? Error)
{
    public static Result<T> Ok(T value) => new(value, null);
    public static Result<T> Fail(Exception error) => new(default, error);
}
