using RAE.Grid.Contracts;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// The last step of a job: its outputs first — the contact sheet (made by a decoder stage from the images the item
/// records name) and the manifest — so a client that sees a finished state finds them in the store, then the final
/// state, persisted. A failed write leaves the job as it was (Running), so the next ping does the whole step again.
/// </summary>
public sealed class JobFinisher(JobGrainState s, IOutputStore store)
{
    /// <summary>
    /// Writes the outputs and persists <paramref name="final"/> through <paramref name="persist"/>. The sheet is made by
    /// <paramref name="makeSheet"/>(name, images) (a decoder stage's <see cref="IDecoderStageGrain.WriteContactSheet"/>;
    /// null when there is no stage to make one, and the job has no sheet). On any failure the state is as before and
    /// the failure is rethrown.
    /// </summary>
    public async Task FinishAsync(JobState final, Func<string, string[], Task<bool>>? makeSheet, Func<Task> persist, CancellationToken ct)
    {
        var finished = DateTimeOffset.UtcNow;
        var (manifest, sheet) = ($"{s.OutputPrefix}/manifest.json", $"{s.OutputPrefix}/contact-sheet.png");
        var images = makeSheet is null ? [] : await JobOutputs.ContactSheetImagesAsync(s, store, ct);
        var written = images.Length > 0 && await makeSheet!(sheet, images);
        await store.PutAsync(manifest, JobOutputs.Manifest(s, final, finished), "application/json", ct);
        var previous = (s.Manifest, s.ContactSheet, s.State, s.Finished);
        (s.Manifest, s.ContactSheet, s.State, s.Finished) = (manifest, written ? sheet : null, final, finished);
        try { await persist(); }
        catch
        {
            // Not persisted: stay Running in memory too, so the next ping redoes this instead of the job looking
            // finished here while its stored state says Running.
            (s.Manifest, s.ContactSheet, s.State, s.Finished) = previous;
            throw;
        }
    }
}
