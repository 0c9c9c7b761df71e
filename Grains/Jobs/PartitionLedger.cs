using RAE.Grid.Contracts;
using RAE.Grid.Grains.Access;
using RAE.Grid.Grains.Configuration;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The book of one partition's items over its persisted <see cref="PartitionState"/> (whose format it leaves as it is):
/// each item's phase, attempts, seconds, output hash and producer, the errors of failed items and which of them were
/// transient, the redo and audit counters, best-of-N's selections and counts, and the counts reported to the job. It
/// holds the rules a partition lives by — what a resumed partition tries again, when it checkpoints and reports, what an
/// audit that finds lost outputs does — and no I/O: <see cref="PartitionGrain"/> persists, calls and reports.
/// </summary>
public sealed class PartitionLedger
{
    /// <summary>Least time between two progress reports to the job (besides those at checkpoints and at the end).</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(250);

    private readonly PartitionState _s;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _clock;
    private long _lastReport;

    /// <summary>A ledger over <paramref name="state"/> (as read from storage, or new); <paramref name="clock"/> times the reports.</summary>
    public PartitionLedger(PartitionState state, PipelineOptions options, TimeProvider? clock = null)
    {
        _s = state;
        _options = options;
        _clock = clock ?? TimeProvider.System;
        _lastReport = _clock.GetTimestamp();
    }

    /// <summary>The persisted state this ledger keeps.</summary>
    public PartitionState State => _s;

    /// <summary>The partition's plan (once planned).</summary>
    public PartitionPlan Plan => _s.Plan ?? throw new InvalidOperationException("the partition has no plan yet");

    /// <summary>Whether the state came from an earlier activation: outputs may be stored that its last checkpoint does not record.</summary>
    public bool Resumed { get; private set; }

    /// <summary>Every item settled and the item records are stored.</summary>
    public bool Finished { get => _s.Finished; set => _s.Finished = value; }

    /// <summary>Items being worked on now (not persisted).</summary>
    public int InFlight { get; private set; }

    /// <summary>Items settled since the last checkpoint was written.</summary>
    public int SinceCheckpoint { get; private set; }

    /// <summary>Items no longer pending.</summary>
    public int Settled => _s.Phases.Count(p => p != (byte)ItemPhase.Pending);

    /// <summary>Whether no item is pending.</summary>
    public bool AllSettled => _s.Phases.All(p => p != (byte)ItemPhase.Pending);

    /// <summary>Item <paramref name="local"/>'s phase.</summary>
    public ItemPhase PhaseOf(int local) => (ItemPhase)_s.Phases[local];

    /// <summary>Item <paramref name="local"/>'s attempts so far.</summary>
    public int AttemptsOf(int local) => _s.Attempts[local];

    /// <summary>
    /// On activation: state from an earlier one is resumed. Arrays added to the format later are sized, and items failed
    /// by an outage that outlasted their deadline — not by their content — are pending again (an unfinished partition only).
    /// </summary>
    public void Resume()
    {
        Resumed = _s.Plan is not null;
        if (!Resumed) return;
        EnsureArrays();
        if (_s.Finished || _s.Transient.Count == 0) return;
        foreach (var i in _s.Transient)
            if (_s.Phases[i] == (byte)ItemPhase.Failed) { _s.Phases[i] = (byte)ItemPhase.Pending; _s.Errors.Remove(i); }
        _s.Transient.Clear();
    }

    /// <summary>Takes <paramref name="plan"/> when the partition has none yet; true when it did (the state is then to be written).</summary>
    public bool TakePlan(PartitionPlan plan)
    {
        if (_s.Plan is not null) return false;
        _s.Plan = plan;
        _s.Phases = new byte[plan.Count];
        _s.Attempts = new byte[plan.Count];
        _s.Seconds = new float[plan.Count];
        EnsureArrays();
        return true;
    }

    /// <summary>Sizes the per-item arrays added after the first format (a state saved before them has them empty).</summary>
    private void EnsureArrays()
    {
        if (_s.Hashes.Length != _s.Phases.Length * 32) _s.Hashes = new byte[_s.Phases.Length * 32];
        if (_s.ProducerOf.Length != _s.Phases.Length) _s.ProducerOf = new byte[_s.Phases.Length];
    }

    /// <summary>Local indices of the pending items, in order.</summary>
    public List<int> Pending() => Enumerable.Range(0, _s.Phases.Length).Where(i => _s.Phases[i] == (byte)ItemPhase.Pending).ToList();

    /// <summary>Counts one more attempt of each item (saturating at 255).</summary>
    public void CountAttempt(IEnumerable<int> locals)
    {
        foreach (var i in locals) _s.Attempts[i] = (byte)Math.Min(255, _s.Attempts[i] + 1);
    }

    /// <summary>Records an output (SHA-256 hex) and its producer as item <paramref name="local"/>'s.</summary>
    public void Record(int local, string sha256, string producer) => _s.Record(local, sha256, producer);

    /// <summary>Marks <paramref name="count"/> items started.</summary>
    public void Begin(int count) => InFlight += count;

    /// <summary>Marks <paramref name="count"/> started items ended.</summary>
    public void End(int count) => InFlight -= count;

    /// <summary>
    /// Records items as done (no error) or failed: an error reaches clients, so it is sanitised (no server paths or secrets)
    /// and names the item's input once. Says what the partition does next: a checkpoint (and report) every
    /// <see cref="PipelineOptions.CheckpointEveryItems"/> items, else a report when the last is <see cref="ReportInterval"/> old.
    /// </summary>
    public SettleStep Settle(PartitionItems items, IReadOnlyList<int> locals, string?[]? errors, double seconds, bool transient)
    {
        for (int k = 0; k < locals.Count; k++)
        {
            var i = locals[k];
            _s.Seconds[i] = (float)seconds;
            if (errors?[k] is { } error)
            {
                _s.Phases[i] = (byte)ItemPhase.Failed;
                // Stage messages may already start with the item's name.
                var message = ClientErrors.Sanitize(error);
                var input = items.InputOf(i);
                _s.Errors[i] = message.StartsWith(input + ":", StringComparison.Ordinal) ? message : $"{input}: {message}";
                _s.Forget(i);
                if (transient) _s.Transient.Add(i);
            }
            else _s.Phases[i] = (byte)ItemPhase.Done;
        }
        SinceCheckpoint += locals.Count;
        if (SinceCheckpoint >= _options.CheckpointEveryItems) return SettleStep.Checkpoint;
        return _clock.GetElapsedTime(_lastReport) >= ReportInterval ? SettleStep.Report : SettleStep.None;
    }

    /// <summary>A checkpoint was written: counting starts again.</summary>
    public void Checkpointed() => SinceCheckpoint = 0;

    /// <summary>A report was sent (or tried): the report interval starts again.</summary>
    public void Reported() => _lastReport = _clock.GetTimestamp();

    /// <summary>Marks every pending item cancelled.</summary>
    public void CancelPending()
    {
        for (int i = 0; i < _s.Phases.Length; i++)
            if (_s.Phases[i] == (byte)ItemPhase.Pending) _s.Phases[i] = (byte)ItemPhase.Cancelled;
    }

    /// <summary>Audits that found lost outputs so far.</summary>
    public int AuditRounds => _s.AuditRounds;

    /// <summary>
    /// An audit found <paramref name="lost"/> (done items whose output the store no longer holds as written). Below
    /// <see cref="PipelineOptions.MaxAuditRounds"/> audits they are pending again, counted in Redone, and the partition
    /// unfinished; after that they fail, saying so. True when they are to be redone.
    /// </summary>
    public bool ResolveLost(PartitionItems items, IReadOnlyList<int> lost)
    {
        var redo = _s.AuditRounds < _options.MaxAuditRounds;
        _s.AuditRounds++;
        foreach (var i in lost)
        {
            _s.Forget(i);
            if (redo) _s.Phases[i] = (byte)ItemPhase.Pending;
            else
            {
                _s.Phases[i] = (byte)ItemPhase.Failed;
                _s.Errors[i] = $"{items.InputOf(i)}: the store lost this item's output {_options.MaxAuditRounds} times after it was written";
            }
        }
        if (redo)
        {
            _s.Redone += lost.Count;
            _s.Finished = false;
        }
        return redo;
    }

    /// <summary>Best-of-N: item <paramref name="item"/>'s scored candidates, when they are.</summary>
    public CandidateSelection? SelectionOf(long item) => _s.Selections.GetValueOrDefault(item);

    /// <summary>Best-of-N: keeps item <paramref name="item"/>'s scored candidates (the winners follow from them).</summary>
    public void Select(long item, CandidateSelection selection) => _s.Selections[item] = selection;

    /// <summary>Best-of-N: a candidate was sampled and scored.</summary>
    public void CandidateScored() { _s.Sampled++; _s.VerifierCalls++; }

    /// <summary>Best-of-N: a kept candidate was sampled again (its latent was no longer held).</summary>
    public void KeptResampled() { _s.Sampled++; _s.Resampled++; }

    /// <summary>The counts reported to the job, with the first <see cref="PipelineOptions.StatusErrors"/> errors (inputs named once <paramref name="items"/> are read).</summary>
    public PartitionProgress Progress(PartitionItems? items)
    {
        int done = 0, failed = 0, cancelled = 0;
        foreach (var p in _s.Phases)
            switch ((ItemPhase)p)
            {
                case ItemPhase.Done: done++; break;
                case ItemPhase.Failed: failed++; break;
                case ItemPhase.Cancelled: cancelled++; break;
            }
        var start = _s.Plan?.Start ?? 0;
        var errors = _s.Errors.Take(_options.StatusErrors).Select(e => new ItemError(start + e.Key, items?.InputOf(e.Key) ?? "", e.Value)).ToArray();
        return new PartitionProgress(done, failed, cancelled, _s.Finished ? 0 : InFlight, _s.Finished, errors, _s.Redone,
            _s.Sampled, _s.VerifierCalls, _s.Resampled);
    }

    /// <summary>A page of the failed items' errors, in item order.</summary>
    public ItemError[] Errors(PartitionItems items, int offset, int count) =>
        _s.Errors.Skip(Math.Max(0, offset)).Take(Math.Max(0, count))
            .Select(e => new ItemError(items.IndexOf(e.Key), items.InputOf(e.Key), e.Value)).ToArray();
}
