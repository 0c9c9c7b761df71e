using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Models.Imaging;
using RAE.Grid.Models.Rae;
using static TorchSharp.torch;

namespace RAE.Grid.Grains.Stages;

/// <summary>
/// The silo's stage engines: one <see cref="StageBatcher{TIn,TOut}"/> per (stage, bundle, replica), each running its
/// model's batched forward pass on its replica's device (<see cref="GridOptions.DeviceOf"/>; one replica per device entry
/// and instance, each routed like a host of its own). Stage grains are thin entry points into these. Draining them is
/// part of graceful shutdown.
/// This is where wire payloads meet tensors: images and latents are converted here and handed to the model library.
/// </summary>
public sealed class StageRuntime(ModelHost models, PromptConditions conditions, IOptions<GridOptions> options, ILocalSiloDetails silo,
    ILogger<StageRuntime> log, StageMetrics metrics) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Stage, string Bundle, int Replica), Lazy<Task<IStageBatcher>>> _batchers = new();
    private volatile bool _draining;

    GridOptions O => options.Value;

    /// <summary>Batching statistics per (stage, bundle), summed over its replicas: batches and items run so far.</summary>
    public IReadOnlyDictionary<string, (long Batches, long Items)> Statistics =>
        _batchers.Where(kv => kv.Value.IsValueCreated && kv.Value.Value.IsCompletedSuccessfully)
            .GroupBy(kv => $"{kv.Key.Stage}/{kv.Key.Bundle}")
            .ToDictionary(g => g.Key, g => (g.Sum(kv => kv.Value.Value.Result.Batches), g.Sum(kv => kv.Value.Value.Result.Items)));

    /// <summary>Items in the batches <paramref name="stage"/> of <paramref name="bundle"/> is running now, over its replicas (0 when idle or not started).</summary>
    public int Running(string stage, string bundle) =>
        Enumerable.Range(0, O.ReplicaCount).Sum(r => Started(stage, bundle, r)?.Running ?? 0);

    /// <summary>Whether the stages are draining or halted for shutdown (they take no new work).</summary>
    public bool Draining => _draining;

    /// <summary>The stages this silo hosts, by their canonical names.</summary>
    public IEnumerable<string> HostedStages => StageNames.All.Where(O.Hosts);

    /// <summary>The devices this silo's stage replicas run on.</summary>
    public IReadOnlyList<string> Devices => O.DeviceList;

    /// <summary>
    /// Every stage replica of this silo, per hosted stage and registry bundle, in a stable order; one that has not run yet
    /// (its model loads on first use) is listed as not loaded, with zeros.
    /// </summary>
    public IReadOnlyList<StageReplicaReport> Replicas() =>
        (from stage in HostedStages
         from bundle in O.Bundles.Keys.Order(StringComparer.Ordinal)
         from replica in Enumerable.Range(0, O.ReplicaCount)
         let b = Started(stage, bundle, replica)
         select new StageReplicaReport(stage, bundle, replica, O.DeviceOf(replica), b is not null, b?.Waiting ?? 0, b?.Running ?? 0,
             b?.Batches ?? 0, b?.Items ?? 0, b?.Window.ItemsPerSecond ?? 0)).ToList();

    /// <summary>The load of each hosted (stage, bundle): its replicas' backlog, throughput and service rate.</summary>
    public IReadOnlyList<Operations.StageLoad> Loads() =>
        (from stage in HostedStages
         from bundle in O.Bundles.Keys.Order(StringComparer.Ordinal)
         let started = Enumerable.Range(0, O.ReplicaCount).Select(r => Started(stage, bundle, r)).OfType<IStageBatcher>().ToList()
         let rates = started.Select(b => b.Window.ServiceRate).OfType<double>().ToList()
         select new Operations.StageLoad(stage, bundle, O.ReplicaCount, started.Sum(b => b.Queued), started.Sum(b => b.Window.ItemsPerSecond),
             rates.Count == 0 ? null : rates.Average())).ToList();

    private IStageBatcher? Started(string stage, string bundle, int replica) =>
        _batchers.TryGetValue((stage, bundle, replica), out var l) && l.IsValueCreated && l.Value.IsCompletedSuccessfully ? l.Value.Result : null;

    private void EnsureHosted(string stage, string bundle, int replica = 0)
    {
        if (_draining) throw new StageBusyException($"stage {stage}/{bundle} is draining for shutdown; retry on another silo");
        if (!O.Hosts(stage)) throw new InvalidOperationException($"this silo does not host the {stage} stage (Grid.Stages: {string.Join(",", O.Stages)})");
        if (replica < 0 || replica >= O.ReplicaCount)
            throw new InvalidOperationException($"this silo has no replica {replica} of the {stage} stage (it runs {O.ReplicaCount}: Grid.Devices × Grid.InstancesPerDevice)");
    }

    private async Task<StageBatcher<TIn, TOut>> Batcher<TIn, TOut>(string stage, string bundle, int replica,
        Func<RaeModel, Func<IReadOnlyList<TIn>, CancellationToken, IReadOnlyList<Result<TOut>>>> run, Func<TIn, object>? group = null)
    {
        EnsureHosted(stage, bundle, replica);
        var lazy = _batchers.GetOrAdd((stage, bundle, replica), key => new Lazy<Task<IStageBatcher>>(async () =>
        {
            var device = O.DeviceOf(key.Replica);
            var model = await models.GetAsync(key.Bundle, device);
            log.LogInformation("Stage {Stage}/{Bundle} ready (batch {Max}, wait {Wait} ms, queue {Queue}; replica {Replica} on {Device})", key.Stage, key.Bundle,
                O.BatchingFor(key.Stage).MaxBatch, O.BatchingFor(key.Stage).MaxWaitMs, O.BatchingFor(key.Stage).QueueCapacity, key.Replica, device);
            if (StandInStage.For(O, key.Stage) is { } standIn)
                log.LogWarning("Stage {Stage}/{Bundle} is a STAND-IN (Grid:StandIn): no forward pass, {Ms} ms per batch, synthetic outputs that are not model outputs",
                    key.Stage, key.Bundle, standIn.ServiceMs);
            var name = key.Replica == 0 ? $"{key.Stage}/{key.Bundle}" : $"{key.Stage}/{key.Bundle}#{key.Replica}";
            return new StageBatcher<TIn, TOut>(name, O.BatchingFor(key.Stage), run(model), group,
                metrics.For(key.Stage, key.Bundle, new("device", O.DeviceOf(key.Replica)), new("replica", key.Replica.ToString())));
        }));
        try { return (StageBatcher<TIn, TOut>)await lazy.Value; }
        catch { _batchers.TryRemove(new KeyValuePair<(string, string, int), Lazy<Task<IStageBatcher>>>((stage, bundle, replica), lazy)); throw; }
    }

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
        var b = await Batcher<(string Name, byte[] Bytes), TensorPayload>(StageNames.Encoder, bundle, replica, model => (items, _) => RunEncode(model, items));
        return await b.EnqueueAsync((name, encoded), ct, job, priority);
    }

    /// <summary>Latent [C,h,w] → PNG of the decoded image (resized to <paramref name="outputSize"/> when given).</summary>
    public async Task<DecodedImage> DecodeAsync(string bundle, int replica, TensorPayload latent, int? outputSize, CancellationToken ct, string? job = null, int priority = 0)
    {
        var b = await Batcher<(TensorPayload Latent, int? Size), DecodedImage>(StageNames.Decoder, bundle, replica,
            model => (items, _) => RunDecode(model, items), item => item.Size ?? 0);
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
        var b = await Batcher<(DiffusionItem Item, TensorPayload? Condition), TensorPayload>(StageNames.Diffusion, bundle, replica,
            model => (items, batch) => RunGenerate(model, items, batch), i => i.Item.Sampling);
        return await b.EnqueueAsync((item, condition), ct, job, priority);
    }

    /// <summary>
    /// The condition tokens [L, z] of <paramref name="prompt"/> for a text-to-image bundle's diffusion head: held ones from
    /// <see cref="PromptConditions"/>, else computed in a batch with other prompts. The computation is shared by every caller
    /// that asks for the prompt meanwhile, so one caller giving up (<paramref name="ct"/>) does not stop it for the others.
    /// </summary>
    public async Task<TensorPayload> ConditionAsync(string bundle, int replica, string prompt, CancellationToken ct, string? job = null, int priority = 0)
    {
        var b = await Batcher<string, TensorPayload>(StageNames.Text, bundle, replica, model => (items, _) => RunCondition(model, items));
        return await conditions.GetOrCompute(bundle, prompt, () => b.EnqueueAsync(prompt, CancellationToken.None, job, priority)).WaitAsync(ct);
    }

    /// <summary>Scores one latent with the bundle's verifier <see cref="VerifyRequest.Verifier"/>, batched with other latents for the same verifier.</summary>
    public async Task<CandidateScore> ScoreAsync(string bundle, int replica, TensorPayload latent, VerifyRequest request, CancellationToken ct)
    {
        var b = await Batcher<(TensorPayload Latent, VerifyRequest Request), CandidateScore>(StageNames.Verifier, bundle, replica,
            model => (items, _) => RunScore(model, items), item => item.Request.Verifier ?? "");
        return await b.EnqueueAsync((latent, request), ct, request.JobId, request.Priority);
    }

    /// <summary>The name of the bundle's verifier <paramref name="verifier"/> (null: the default), loaded; throws an ArgumentException naming the field if there is none.</summary>
    public async Task<string> ResolveVerifierAsync(string bundle, int replica, string? verifier)
    {
        EnsureHosted(StageNames.Verifier, bundle, replica);
        if (StandInStage.For(O, StageNames.Verifier) is not null) return verifier ?? "stand-in"; // no model: nothing to check
        var model = await models.GetAsync(bundle, O.DeviceOf(replica));
        var section = model.Bundle.Verifier(verifier);
        // Loaded now, off the grain's scheduler: a verifier that cannot load fails the submit, not every candidate.
        await Task.Run(() => model.Verifier(section.Name));
        return section.Name;
    }

    /// <summary>
    /// <paramref name="requested"/> completed from <paramref name="bundle"/>'s defaults and validated (throws an
    /// <see cref="ArgumentException"/> naming every bad field). Reads the bundle file only, so a job is checked at submit
    /// without waiting for a model to load. The resolved steps and scale must also be within <see cref="RequestLimits"/>.
    /// </summary>
    public SamplingSpec ResolveSampling(string bundle, SamplingSpec requested, bool prompted = false)
    {
        EnsureHosted(StageNames.Diffusion, bundle);
        var b = models.Bundle(bundle);
        if (!prompted && b.T2I is not null)
            throw new ArgumentException($"bundle '{bundle}' is text-to-image (it has a t2i section): give prompts, not classes");
        var resolved = prompted ? TextToImageSampling.Resolve(requested, b, bundle) : SamplingSpecs.Resolve(requested, b);
        // The resolved spec holds the requested values and the bundle's defaults: a default over a limit is as bad as a request over it.
        var over = O.Limits.CheckSampling(resolved).ToList();
        return over.Count == 0 ? resolved : throw new ArgumentException(string.Join("; ", over));
    }

    private IReadOnlyList<Result<TensorPayload>> RunEncode(RaeModel model, IReadOnlyList<(string Name, byte[] Bytes)> items)
    {
        if (StandInStage.For(O, StageNames.Encoder) is { } standIn) return standIn.Encode(model, items);
        using var scope = NewDisposeScope();
        var limits = new ImageLimits { MaxFileBytes = O.MaxImageBytes, MaxSide = O.MaxImageSide, MaxPixels = O.Limits.MaxImagePixels };
        var results = new Result<TensorPayload>[items.Count];
        var good = new List<(int Index, Tensor Image)>();
        for (int i = 0; i < items.Count; i++)
        {
            try { good.Add((i, CenterCrop.Apply(ImageIO.Decode(items[i].Bytes, items[i].Name, limits), model.ImageSize))); }
            catch (BadImageException e) { results[i] = Result<TensorPayload>.Fail(new ItemRejectedException(e.Message)); }
        }
        if (good.Count > 0)
        {
            var latents = model.Encode(stack(good.Select(g => g.Image))).to(ScalarType.Float32);
            for (int j = 0; j < good.Count; j++)
                results[good[j].Index] = Result<TensorPayload>.Ok(
                    TensorPayloads.ToPayload(latents[j]).EnsureWithin(O.MaxPayloadBytes, $"latent of {items[good[j].Index].Name}"));
        }
        return results;
    }

    private IReadOnlyList<Result<DecodedImage>> RunDecode(RaeModel model, IReadOnlyList<(TensorPayload Latent, int? Size)> items)
    {
        if (StandInStage.For(O, StageNames.Decoder) is { } standIn) return standIn.Decode(model, items);
        using var scope = NewDisposeScope();
        var results = new Result<DecodedImage>[items.Count];
        var good = new List<(int Index, Tensor Latent)>();
        for (int i = 0; i < items.Count; i++)
        {
            try { good.Add((i, LatentOf(model, items[i].Latent))); }
            catch (ArgumentException e) { results[i] = Result<DecodedImage>.Fail(new ItemRejectedException(e.Message)); }
        }
        if (good.Count > 0)
        {
            var images = model.Decode(stack(good.Select(g => g.Latent)));
            var size = items[good[0].Index].Size;
            if (size is int s) images = CenterCrop.Apply(images, s);
            for (int j = 0; j < good.Count; j++)
                results[good[j].Index] = Result<DecodedImage>.Ok(
                    new DecodedImage(ImageIO.EncodePng(images[j]), (int)images.shape[3], (int)images.shape[2]));
        }
        return results;
    }

    /// <summary>
    /// One diffusion batch. It stops between ODE steps when <paramref name="batch"/> is cancelled (every item's caller gave
    /// up) or when it has computed longer than <see cref="RequestLimits.ItemComputeSeconds"/>; then its items fail with an
    /// <see cref="ItemRejectedException"/>, which is not retried, and the stage goes on to the next batch.
    /// </summary>
    private IReadOnlyList<Result<TensorPayload>> RunGenerate(RaeModel model, IReadOnlyList<(DiffusionItem Item, TensorPayload? Condition)> inputs,
        CancellationToken batch)
    {
        var items = inputs.Select(i => i.Item).ToList();
        if (StandInStage.For(O, StageNames.Diffusion) is { } standIn) return standIn.Generate(model, items);
        using var scope = NewDisposeScope();
        var results = new Result<TensorPayload>[items.Count];
        var classes = model.Diffusion?.NumClasses ?? 0;
        var t2i = model.Bundle.T2I is not null;
        var good = Enumerable.Range(0, items.Count).Where(i =>
        {
            var problem = (t2i, items[i].Prompt, inputs[i].Condition) switch
            {
                (true, null, _) => $"item {items[i].ItemIndex}: bundle '{model.Bundle.Name}' is text-to-image; the item has no prompt",
                (true, _, null) => $"item {items[i].ItemIndex}: no condition tokens for its prompt",
                (false, not null, _) => $"item {items[i].ItemIndex}: bundle '{model.Bundle.Name}' has no t2i section; prompts need a text-to-image bundle",
                (false, null, _) when items[i].Label < 0 || items[i].Label >= classes => $"item {items[i].ItemIndex}: class {items[i].Label} is outside 0..{classes - 1}",
                _ => null,
            };
            if (problem is null) return true;
            results[i] = Result<TensorPayload>.Fail(new ItemRejectedException(problem));
            return false;
        }).ToList();
        if (good.Count > 0)
        {
            // One batch holds one group: items of equal sampling settings (see GenerateAsync).
            var settings = t2i ? null : SamplingSpecs.ToSettings(items[good[0]].Sampling);
            var limit = TimeSpan.FromSeconds(O.Limits.ItemComputeSeconds);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(batch);
            deadline.CancelAfter(limit);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Tensor latents;
            try
            {
                latents = t2i
                    ? model.TextToImage().Generate(stack(good.Select(i => TensorPayloads.ToTensor(inputs[i].Condition!))),
                        good.Select(i => items[i].Seed).ToList(), good.Select(i => items[i].ItemIndex).ToList(),
                        items[good[0]].Sampling.Steps!.Value, TextToImageSampling.CfgScale(items[good[0]].Sampling),
                        TextToImageSampling.SamplerOf(items[good[0]].Sampling), deadline.Token).to(ScalarType.Float32)
                    : model.GenerateLatents(good.Select(i => (long)items[i].Label).ToList(), good.Select(i => items[i].Seed).ToList(),
                        good.Select(i => items[i].ItemIndex).ToList(), settings, deadline.Token).to(ScalarType.Float32);
            }
            catch (OperationCanceledException) when (!batch.IsCancellationRequested)
            {
                var s = items[good[0]].Sampling;
                log.LogWarning("Diffusion batch of {Count} items stopped after {Seconds:F1} s: over ItemComputeSeconds {Limit} (steps {Steps})",
                    good.Count, clock.Elapsed.TotalSeconds, O.Limits.ItemComputeSeconds, s.Steps);
                foreach (var i in good)
                    results[i] = Result<TensorPayload>.Fail(FailureCauses.Mark(new ItemRejectedException(
                        $"item {items[i].ItemIndex}: compute stopped after {clock.Elapsed.TotalSeconds:F1} s, over ItemComputeSeconds " +
                        $"{O.Limits.ItemComputeSeconds} (steps {s.Steps}, sampler {s.Sampler}); not retried: ask for fewer steps"), FailureCauses.ComputeDeadline));
                return results;
            }
            for (int j = 0; j < good.Count; j++)
                results[good[j]] = Result<TensorPayload>.Ok(TensorPayloads.ToPayload(latents[j]));
        }
        return results;
    }

    /// <summary>
    /// One text batch: prompts → condition tokens. A prompt the bundle cannot take (empty, over <c>t2i.max_prompt_tokens</c>)
    /// fails alone, naming the limit; the others run.
    /// </summary>
    private IReadOnlyList<Result<TensorPayload>> RunCondition(RaeModel model, IReadOnlyList<string> prompts)
    {
        if (StandInStage.For(O, StageNames.Text) is { } standIn) return standIn.Condition(prompts);
        using var scope = NewDisposeScope();
        var results = new Result<TensorPayload>[prompts.Count];
        Models.T2I.TextToImage t2i;
        try { t2i = model.TextToImage(); }
        catch (InvalidOperationException e) { return prompts.Select(_ => Result<TensorPayload>.Fail(new ItemRejectedException(e.Message))).ToList(); }
        var good = new List<int>();
        for (int i = 0; i < prompts.Count; i++)
        {
            try { t2i.GenerationIds(prompts[i]); good.Add(i); }
            catch (ArgumentException e) { results[i] = Result<TensorPayload>.Fail(new ItemRejectedException(e.Message)); }
        }
        if (good.Count > 0)
        {
            var condZ = t2i.Condition(good.Select(i => prompts[i]).ToList()).to(ScalarType.Float32);
            for (int j = 0; j < good.Count; j++)
                results[good[j]] = Result<TensorPayload>.Ok(TensorPayloads.ToPayload(condZ[j]).EnsureWithin(O.MaxPayloadBytes, "prompt condition"));
        }
        return results;
    }

    private IReadOnlyList<Result<CandidateScore>> RunScore(RaeModel model, IReadOnlyList<(TensorPayload Latent, VerifyRequest Request)> items)
    {
        if (StandInStage.For(O, StageNames.Verifier) is { } standIn) return standIn.Score(items);
        using var scope = NewDisposeScope();
        var results = new Result<CandidateScore>[items.Count];
        var good = new List<(int Index, Tensor Latent, Models.Verifiers.LatentCondition Condition)>();
        for (int i = 0; i < items.Count; i++)
        {
            var (latent, request) = items[i];
            try
            {
                var t = LatentOf(model, latent);
                if (request.Text is null && (request.Label < 0 || request.Label >= model.Bundle.Misc.NumClasses))
                    throw new ArgumentException($"class {request.Label} is outside 0..{model.Bundle.Misc.NumClasses - 1}");
                // A label's text (its class name) is the verifier's to look up: it knows its bundle's class names.
                good.Add((i, t, new Models.Verifiers.LatentCondition(request.Label, request.Text)));
            }
            catch (ArgumentException e) { results[i] = Result<CandidateScore>.Fail(new ItemRejectedException(e.Message)); }
        }
        if (good.Count > 0)
        {
            // One batch holds one verifier (see ScoreAsync).
            var verifier = model.Verifier(items[good[0].Index].Request.Verifier);
            var scores = verifier.Score(stack(good.Select(g => g.Latent)), good.Select(g => g.Condition).ToList()).to(ScalarType.Float32).data<float>().ToArray();
            var name = $"{verifier.Name} ({verifier.Version})";
            for (int j = 0; j < good.Count; j++) results[good[j].Index] = Result<CandidateScore>.Ok(new CandidateScore(scores[j], name));
        }
        return results;
    }

    /// <summary>A payload as a latent of <paramref name="model"/>'s shape; an ArgumentException naming it otherwise.</summary>
    private static Tensor LatentOf(RaeModel model, TensorPayload latent)
    {
        var t = TensorPayloads.ToTensor(latent);
        return t.shape.SequenceEqual(model.LatentShape) ? t
            : throw new ArgumentException($"latent {latent} does not have the bundle's latent shape [{string.Join(",", model.LatentShape)}]");
    }

    /// <summary>Stops taking new work and waits for queued items to finish (graceful shutdown).</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        _draining = true;
        var drains = _batchers.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully)
            .Select(l => l.Value.Result.DrainAsync(timeout));
        await Task.WhenAll(drains);
        log.LogInformation("Stages drained");
    }

    /// <summary>
    /// For a process about to exit without a graceful shutdown (an embedded silo after Ctrl-C): every stage stops its
    /// running batch at the next ODE step and answers nothing more, so no item is failed by the exit and no model runs
    /// while the process tears down; the items resume from their partitions' checkpoints on the next start.
    /// </summary>
    public async Task HaltAsync(TimeSpan timeout)
    {
        _draining = true;
        await Task.WhenAll(_batchers.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully)
            .Select(l => l.Value.Result.HaltAsync(timeout)));
    }

    public async ValueTask DisposeAsync() => await DrainAsync(TimeSpan.FromSeconds(30));
}
