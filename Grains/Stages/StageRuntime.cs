using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The silo's stage engines, which the stage grains are thin entry points into: each call goes to its (stage, bundle,
/// replica) batcher (<see cref="StageBatchers"/>), whose batches run that stage's kernel (<see cref="EncoderKernel"/>,
/// <see cref="DecoderKernel"/>, <see cref="DiffusionKernel"/>, <see cref="TextKernel"/>, <see cref="VerifierKernel"/>)
/// with the model loaded on the replica's device. Draining them is part of graceful shutdown.
/// </summary>
public sealed class StageRuntime(ModelHost models, PromptConditions conditions, IOptions<GridOptions> options, ILocalSiloDetails silo,
    ILogger<StageRuntime> log, StageMetrics metrics) : IAsyncDisposable
{
    private readonly StageBatchers _batchers = new(models, options.Value, log, metrics);
    private readonly EncoderKernel _encoder = new(options.Value);
    private readonly DecoderKernel _decoder = new(options.Value);
    private readonly DiffusionKernel _diffusion = new(options.Value, log);
    private readonly TextKernel _text = new(options.Value);
    private readonly VerifierKernel _verifier = new(options.Value);

    GridOptions O => options.Value;

    /// <inheritdoc cref="StageBatchers.Statistics"/>
    public IReadOnlyDictionary<string, (long Batches, long Items)> Statistics => _batchers.Statistics;

    /// <inheritdoc cref="StageBatchers.Running"/>
    public int Running(string stage, string bundle) => _batchers.Running(stage, bundle);

    /// <inheritdoc cref="StageBatchers.Draining"/>
    public bool Draining => _batchers.Draining;

    /// <inheritdoc cref="StageBatchers.HostedStages"/>
    public IEnumerable<string> HostedStages => _batchers.HostedStages;

    /// <inheritdoc cref="StageBatchers.Devices"/>
    public IReadOnlyList<string> Devices => _batchers.Devices;

    /// <inheritdoc cref="StageBatchers.Replicas"/>
    public IReadOnlyList<StageReplicaReport> Replicas() => _batchers.Replicas();

    /// <inheritdoc cref="StageBatchers.Loads"/>
    public IReadOnlyList<Operations.StageLoad> Loads() => _batchers.Loads();

    /// <summary>
    /// What produces <paramref name="bundle"/>'s outputs on replica <paramref name="replica"/> here, as receipts and item
    /// records name it: "silo/device/dtype", the device being the replica's.
    /// </summary>
    public string ProducerOf(string bundle, int replica = 0)
    {
        var compute = models.Bundle(bundle, O.DeviceOf(replica)).Compute;
        return $"{silo.SiloAddress.ToParsableString()}/{compute.Device}/{compute.DType}";
    }

    /// <summary>Largest batch of <paramref name="stage"/> on this silo.</summary>
    public int MaxBatch(string stage) => O.BatchingFor(stage).MaxBatch;

    /// <summary>
    /// Encoded image bytes → normalized latent [C,h,w]. <paramref name="job"/> is the item's job: stages share batches
    /// fairly between jobs, serving higher <paramref name="priority"/> first.
    /// </summary>
    public async Task<TensorPayload> EncodeAsync(string bundle, int replica, string name, byte[] encoded, CancellationToken ct, string? job = null, int priority = 0)
    {
        var b = await _batchers.GetAsync<(string Name, byte[] Bytes), TensorPayload>(StageNames.Encoder, bundle, replica, model => (items, _) => _encoder.Encode(model, items));
        return await b.EnqueueAsync((name, encoded), ct, job, priority);
    }

    /// <summary>Latent [C,h,w] → PNG of the decoded image (resized to <paramref name="outputSize"/> when given).</summary>
    public async Task<DecodedImage> DecodeAsync(string bundle, int replica, TensorPayload latent, int? outputSize, CancellationToken ct, string? job = null, int priority = 0)
    {
        var b = await _batchers.GetAsync<(TensorPayload Latent, int? Size), DecodedImage>(StageNames.Decoder, bundle, replica,
            model => (items, _) => _decoder.Decode(model, items), item => item.Size ?? 0);
        return await b.EnqueueAsync((latent, outputSize), ct, job, priority);
    }

    /// <summary>
    /// One diffusion item → its latent [C,h,w]; items batch with others of the same sampler settings. Cancelling
    /// <paramref name="ct"/> stops the item's batch between ODE steps once every item in it is cancelled.
    /// </summary>
    public async Task<TensorPayload> GenerateAsync(string bundle, int replica, DiffusionItem item, CancellationToken ct, string? job = null, int priority = 0) =>
        await GenerateAsync(bundle, replica, item, null, ct, job, priority);

    /// <summary>
    /// As above for a text-to-image item, with its prompt's <paramref name="condition"/> tokens [L, z] from the text stage
    /// (null for a class-conditional item).
    /// </summary>
    public async Task<TensorPayload> GenerateAsync(string bundle, int replica, DiffusionItem item, TensorPayload? condition, CancellationToken ct,
        string? job = null, int priority = 0)
    {
        var b = await _batchers.GetAsync<(DiffusionItem Item, TensorPayload? Condition), TensorPayload>(StageNames.Diffusion, bundle, replica,
            model => (items, batch) => _diffusion.Generate(model, items, batch), i => i.Item.Sampling);
        return await b.EnqueueAsync((item, condition), ct, job, priority);
    }

    /// <summary>
    /// The condition tokens [L, z] of <paramref name="prompt"/> for a text-to-image bundle's diffusion head: held ones from
    /// <see cref="PromptConditions"/>, else computed in a batch with other prompts. The computation is shared by every caller
    /// that asks for the prompt meanwhile, so one caller giving up (<paramref name="ct"/>) does not stop it for the others.
    /// </summary>
    public async Task<TensorPayload> ConditionAsync(string bundle, int replica, string prompt, CancellationToken ct, string? job = null, int priority = 0)
    {
        var b = await _batchers.GetAsync<string, TensorPayload>(StageNames.Text, bundle, replica, model => (items, _) => _text.Condition(model, items));
        return await conditions.GetOrCompute(bundle, prompt, () => b.EnqueueAsync(prompt, CancellationToken.None, job, priority)).WaitAsync(ct);
    }

    /// <summary>Scores one latent with the bundle's verifier <see cref="VerifyRequest.Verifier"/>, batched with other latents for the same verifier.</summary>
    public async Task<CandidateScore> ScoreAsync(string bundle, int replica, TensorPayload latent, VerifyRequest request, CancellationToken ct)
    {
        var b = await _batchers.GetAsync<(TensorPayload Latent, VerifyRequest Request), CandidateScore>(StageNames.Verifier, bundle, replica,
            model => (items, _) => _verifier.Score(model, items), item => item.Request.Verifier ?? "");
        return await b.EnqueueAsync((latent, request), ct, request.JobId, request.Priority);
    }

    /// <summary>The name of the bundle's verifier <paramref name="verifier"/> (null: the default), loaded; throws an ArgumentException naming the field if there is none.</summary>
    public async Task<string> ResolveVerifierAsync(string bundle, int replica, string? verifier)
    {
        _batchers.EnsureHosted(StageNames.Verifier, bundle, replica);
        if (StandInStage.For(O, StageNames.Verifier) is not null) return verifier ?? "stand-in"; // no model: nothing to check
        var model = await models.GetAsync(bundle, O.DeviceOf(replica));
        var section = model.Bundle.Verifier(verifier);
        // Loaded now, off the grain's scheduler: a verifier that cannot load fails the submit, not every candidate.
        await Task.Run(() => model.Verifier(section.Name));
        return section.Name;
    }

    /// <summary>
    /// <paramref name="requested"/> resolved by <see cref="SamplingRules.Resolve"/> against <paramref name="bundle"/> and
    /// the request limits. Reads the bundle file only, so a job is checked at submit without waiting for a model to load.
    /// </summary>
    public SamplingSpec ResolveSampling(string bundle, SamplingSpec requested, bool prompted = false)
    {
        _batchers.EnsureHosted(StageNames.Diffusion, bundle);
        return SamplingRules.Resolve(requested, models.Bundle(bundle), bundle, prompted, O.Limits);
    }

    /// <inheritdoc cref="StageBatchers.DrainAsync"/>
    public Task DrainAsync(TimeSpan timeout) => _batchers.DrainAsync(timeout);

    /// <inheritdoc cref="StageBatchers.HaltAsync"/>
    public Task HaltAsync(TimeSpan timeout) => _batchers.HaltAsync(timeout);

    public ValueTask DisposeAsync() => _batchers.DisposeAsync();
}
