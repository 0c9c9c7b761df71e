namespace RAE.Grid.Models.Checkpoints;

/// <summary>
/// A model config (an HF <c>config.json</c>, a decoder's ViTMAE config, a DiT's YAML <c>params</c>) is unusable:
/// the message names the file or section (<see cref="Source"/>) and the field (<see cref="Field"/>), so a bad config
/// fails at load time rather than as a shape error deep in a forward pass. Every config reader and every config
/// value rule throws this one type. It is an <see cref="ArgumentException"/> (the config is the bad argument of
/// <c>FromJson</c>/<c>Load</c>/<c>Validated</c>; <see cref="InvalidDataException"/> is sealed), so the callers that
/// report bad input (the CLI, the recipe loader, the grid's retry policy) treat it as such.
/// </summary>
public sealed class ConfigFieldException : ArgumentException
{
    /// <summary>An error in <paramref name="field"/> of <paramref name="source"/>: "source: field 'field' problem".</summary>
    public ConfigFieldException(string source, string field, string problem, Exception? inner = null)
        : base($"{source}: field '{field}' {problem}", inner) => (ConfigSource, Field) = (source, field);

    /// <summary>An error in the whole of <paramref name="source"/> (not JSON, not an object): "source: problem".</summary>
    public ConfigFieldException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner) => ConfigSource = source;

    private string ConfigSource { get; }

    /// <summary>
    /// The config file or section the error is in (a path, or a name such as <c>decoder.config</c> or
    /// <c>params</c>). Unlike the usual <see cref="Exception.Source"/> this is not the throwing assembly.
    /// </summary>
    public override string Source => ConfigSource;

    /// <summary>
    /// The field as the config names it (HF or official YAML key, e.g. <c>hidden_size[1]</c>); null when the whole
    /// config is bad. (<see cref="ArgumentException.ParamName"/> stays null so the message is not suffixed.)
    /// </summary>
    public string? Field { get; }
}
