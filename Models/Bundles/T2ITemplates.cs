using System.Text.Json.Serialization;
using RAE.Grid.Models.T2I;

namespace RAE.Grid.Models.Bundles;

/// <summary><c>t2i.templates</c>: the variable texts of the official <c>qwen_2</c> prompt templates.</summary>
public sealed record T2ITemplates
{
    /// <summary>The system message of every prompt.</summary>
    [JsonPropertyName("system")] public string System { get; init; } = ScaleRaePrompts.System;
    /// <summary>Put before a generation prompt (<c>scaling_experiment.py</c>'s; <c>cli.py t2i</c> uses "").</summary>
    [JsonPropertyName("generate_prefix")] public string GeneratePrefix { get; init; } = ScaleRaePrompts.GeneratePrefix;
}
