using System.Globalization;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Configuration;

/// <summary>
/// Bounds on what one request may ask of the grid (configuration section "Grid:Limits"), checked when a job is submitted
/// so a request that would hold a stage for hours, decode a gigapixel image or write outside its prefix is refused before
/// any item runs, with a message naming the field and the limit. The compute deadline and the pixel bound also hold
/// while items run. Validated at start-up with the rest of <see cref="GridOptions"/>.
/// </summary>
public sealed class RequestLimits
{
    /// <summary>Configuration section, under "Grid".</summary>
    public const string Section = "Limits";

    /// <summary>Most grid points of one ODE solve (<c>steps</c>); each is a full forward pass of the diffusion model.</summary>
    public int MaxSteps { get; set; } = 1000;

    /// <summary>Largest guidance scale (<c>scale</c>); past a few tens guidance only saturates images.</summary>
    public double MaxGuidanceScale { get; set; } = 100;

    /// <summary>Most class entries one generate request lists (<c>classes</c>).</summary>
    public int MaxClasses { get; set; } = 10_000;

    /// <summary>Most samples per class of one generate request (<c>per_class</c>); the product is also bounded by MaxItemsPerJob.</summary>
    public int MaxPerClass { get; set; } = 1_000_000;

    /// <summary>Smallest and largest output side a generate request may ask for (<c>output_size</c>, pixels).</summary>
    public int MinOutputSize { get; set; } = 8;

    /// <inheritdoc cref="MinOutputSize"/>
    public int MaxOutputSize { get; set; } = 4096;

    /// <summary>Most latents in one shard of an encode job (<c>shard_size</c>): one encoder call holds a whole shard.</summary>
    public int MaxShardSize { get; set; } = 4096;

    /// <summary>Longest item name (an image's file name), in characters.</summary>
    public int MaxNameLength { get; set; } = 256;

    /// <summary>Largest decoded image accepted, in pixels (width × height), checked from the header before decoding allocates.</summary>
    public long MaxImagePixels { get; set; } = 4096L * 4096;

    /// <summary>
    /// Longest time one batch of diffusion items may compute (seconds), checked between ODE steps: a batch past it stops
    /// and its items fail for good (not retried), so the stage moves on to other jobs' batches.
    /// </summary>
    public double ItemComputeSeconds { get; set; } = 900;

    /// <summary>Most best-of-N candidates per item (<c>best_of.n</c>): each is a full diffusion solve and a verifier call.</summary>
    public int MaxBestOf { get; set; } = 256;

    /// <summary>
    /// Most prompts one text-to-image job may carry (they live in the job's state; split a longer list over several jobs).
    /// </summary>
    public int MaxPrompts { get; set; } = 10_000;

    /// <summary>Longest prompt, in characters (a prompt's token limit is its bundle's <c>t2i.max_prompt_tokens</c>).</summary>
    public int MaxPromptChars { get; set; } = 2_000;

    /// <summary>Every problem with these limits, each naming its setting under <paramref name="where"/>.</summary>
    public IEnumerable<string> Validate(string where)
    {
        if (MaxSteps < 2 || MaxSteps > 1_000_000) yield return $"{where}.MaxSteps: must be between 2 and 1000000, got {MaxSteps}";
        if (!double.IsFinite(MaxGuidanceScale) || MaxGuidanceScale < 1) yield return $"{where}.MaxGuidanceScale: must be a finite number >= 1, got {MaxGuidanceScale}";
        if (MaxClasses < 1) yield return $"{where}.MaxClasses: must be at least 1, got {MaxClasses}";
        if (MaxPerClass < 1) yield return $"{where}.MaxPerClass: must be at least 1, got {MaxPerClass}";
        if (MinOutputSize < 1 || MaxOutputSize < MinOutputSize || MaxOutputSize > 16384)
            yield return $"{where}.MinOutputSize/MaxOutputSize: need 1 <= MinOutputSize <= MaxOutputSize <= 16384, got {MinOutputSize}..{MaxOutputSize}";
        if (MaxShardSize < 1 || MaxShardSize > 1_000_000) yield return $"{where}.MaxShardSize: must be between 1 and 1000000, got {MaxShardSize}";
        if (MaxNameLength < 1 || MaxNameLength > StoreNames.MaxLength) yield return $"{where}.MaxNameLength: must be between 1 and {StoreNames.MaxLength}, got {MaxNameLength}";
        if (MaxImagePixels < 1) yield return $"{where}.MaxImagePixels: must be at least 1, got {MaxImagePixels}";
        if (!double.IsFinite(ItemComputeSeconds) || ItemComputeSeconds <= 0 || ItemComputeSeconds > 86_400)
            yield return $"{where}.ItemComputeSeconds: must be a number of seconds in (0, 86400], got {ItemComputeSeconds}";
        if (MaxPrompts < 1) yield return $"{where}.MaxPrompts: must be at least 1, got {MaxPrompts}";
        if (MaxPromptChars < 1) yield return $"{where}.MaxPromptChars: must be at least 1, got {MaxPromptChars}";
        if (MaxBestOf < 1 || MaxBestOf > 65_536) yield return $"{where}.MaxBestOf: must be between 1 and 65536, got {MaxBestOf}";
    }

    /// <summary>
    /// Every problem with <paramref name="request"/> submitted as job <paramref name="jobId"/> that these limits see, each
    /// naming the field (as the CLI and the manifest name it) and the limit. The sampling fields' limits
    /// (<see cref="CheckSampling"/>) are applied by <c>SamplingRules</c> when the job's sampling is resolved.
    /// </summary>
    public IReadOnlyList<string> Check(string jobId, JobRequest request)
    {
        var p = new List<string>();
        if (JobIds.ProblemOf(jobId) is { } badId) p.Add(badId);
        if (request.BundleId is { } bundle && (bundle.Length > MaxNameLength || bundle.Any(char.IsControl)))
            p.Add($"bundle: the id is over MaxNameLength {MaxNameLength} characters or contains a control character");
        if (request.Images is { } images)
            for (int i = 0; i < images.Length; i++)
            {
                if (images[i] is not { } img) { p.Add($"images[{i}]: missing"); continue; }
                if (NameProblem(img.Name) is { } name) p.Add($"images[{i}].name: {name}");
                if (img.Uri is { } uri && UriProblem(uri) is { } badUri) p.Add($"images[{i}].uri: {badUri}");
            }
        // The planner checks these as store names ('..', absolute, length); a scheme is what it would let through.
        foreach (var (field, name) in new[] { ("input_list", request.InputList), ("input_prefix", request.InputPrefix), ("output_prefix", request.OutputPrefix) })
            if (name is not null && SchemeOf(name) is { } scheme)
                p.Add($"{field}: '{Shown(name)}' has a URI scheme '{scheme}:'; give a store name");
        if (request.Kind == JobKind.Encode && request.ShardSize > MaxShardSize)
            p.Add($"shard_size: {request.ShardSize} is over MaxShardSize {MaxShardSize}");
        if (request.Generate is { } g)
        {
            // Negative classes, blank prompts and "classes or prompts" are GenerateSpec.ConditionProblems' (the planner's).
            if (g.Classes is { } classes && classes.Length > MaxClasses) p.Add($"classes: {classes.Length} entries is over MaxClasses {MaxClasses}");
            if (g.Prompts is { } prompts)
            {
                if (prompts.Length > MaxPrompts) p.Add($"prompts: {prompts.Length} entries is over MaxPrompts {MaxPrompts}");
                foreach (var (text, i) in prompts.Select((t, i) => (t, i)).Where(x => x.t is { } t && t.Length > MaxPromptChars).Take(5))
                    p.Add($"prompts[{i}]: {text.Length} characters is over MaxPromptChars {MaxPromptChars}");
            }
            if (g.PerClass > MaxPerClass) p.Add($"per_class: {g.PerClass} is over MaxPerClass {MaxPerClass}");
            if (g.OutputSize is { } size && (size < MinOutputSize || size > MaxOutputSize))
                p.Add($"output_size: {size} is outside MinOutputSize {MinOutputSize}..MaxOutputSize {MaxOutputSize}");
            // Sampling fields (steps, scale) are bounded by SamplingRules, requested and resolved together.
            if (g.BestOf is { } b)
            {
                if (b.N < 1 || b.N > MaxBestOf) p.Add($"best_of.n: {b.N} is outside 1..MaxBestOf {MaxBestOf}");
                if (b.Keep < 1 || b.Keep > b.N) p.Add($"best_of.keep: {b.Keep} is outside 1..n ({b.N})");
                if (b.Verifier is { } v && (v.Length > MaxNameLength || !v.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
                    p.Add($"best_of.verifier: '{Shown(v)}' is not a verifier name (letters, digits, '-', '_'; at most MaxNameLength {MaxNameLength})");
            }
        }
        return p;
    }

    /// <summary>
    /// The sampling fields over their limits (steps, scale), as "field: value is over Limit n". Upper bounds only: the
    /// lower bounds are the sampling rules' (<c>SamplingRules</c>).
    /// </summary>
    public IEnumerable<string> CheckSampling(SamplingSpec s)
    {
        if (s.Steps is { } steps && steps > MaxSteps) yield return $"steps: {steps} is over MaxSteps {MaxSteps}";
        if (s.Scale is { } scale && double.IsFinite(scale) && scale > MaxGuidanceScale)
            yield return $"scale: {scale.ToString(CultureInfo.InvariantCulture)} is over MaxGuidanceScale {MaxGuidanceScale.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Why <paramref name="name"/> cannot name an item (empty, over MaxNameLength, control characters), or null.</summary>
    public string? NameProblem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "is empty";
        if (name.Length > MaxNameLength) return $"'{Shown(name)}' is {name.Length} characters, over MaxNameLength {MaxNameLength}";
        if (name.Any(char.IsControl)) return $"'{Shown(name)}' contains a control character";
        return null;
    }

    /// <summary>Why <paramref name="uri"/> is not a store name the grid reads (scheme, absolute path, '..', length...), or null.</summary>
    public static string? UriProblem(string uri)
    {
        if (SchemeOf(uri) is { } scheme) return $"'{Shown(uri)}' has a URI scheme '{scheme}:'; give a store name";
        try { StoreNames.Validate(uri); return null; }
        catch (ArgumentException e) { return e.Message; }
    }

    /// <summary>The scheme of "scheme:rest" (e.g. http, file), or null.</summary>
    static string? SchemeOf(string uri)
    {
        var colon = uri.IndexOf(':');
        if (colon < 1) return null;
        var scheme = uri[..colon];
        return char.IsAsciiLetter(scheme[0]) && scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') ? scheme : null;
    }

    /// <summary>A user's string as shown in a message: control characters escaped, cut at 60 characters.</summary>
    static string Shown(string s)
    {
        var escaped = string.Concat(s.Take(60).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return s.Length > 60 ? escaped + "..." : escaped;
    }
}
