using System.Diagnostics;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Metrics;
using RAE.Grid.Grains.Placement;

namespace RAE.Grid.Grains.Jobs;

/// <summary>
/// Generate and reconstruct items, one at a time: the partition picks the first stage's silo (diffusion or encoder) and
/// the decoder on that same silo when it hosts one; the stages pass the latent between themselves and the decoder
/// stores the PNG, returning its hash and producer.
/// </summary>
public sealed class ImageItemRunner(ItemRunContext context) : ItemRunner(context)
{
    /// <inheritdoc/>
    public override Task RunAsync(IReadOnlyList<int> pending, Func<int> window, CancellationToken ct) =>
        WindowedRun.RunAsync(pending, window, i => GuardAsync([i], () => ProcessAsync(i, ct)), ct);

    string FirstStage => Plan.Kind == JobKind.Generate ? StageNames.Diffusion : StageNames.Encoder;

    private async Task ProcessAsync(int local, CancellationToken ct)
    {
        var output = Items.OutputOf(local);
        var index = Items.IndexOf(local);
        var sw = Stopwatch.StartNew();
        // The item's trace: its stage calls (and their hops to other silos) are children of this span.
        var span = GridTracing.StartItem("item", Plan.JobId, index, Plan.Index);
        Ledger.Begin(1);
        ItemOutcome outcome;
        try
        {
            outcome = await Retries.RunAsync([local], async () =>
            {
                // Written before a restart whose checkpoint did not record it: done, not redone — if it is this item's.
                if (await Stored.AcceptItemAsync(local, index, output, ct)) return;
                var first = Router.Pick(FirstStage);
                var route = new ItemRoute(Plan.JobId, index, Router.KeyOf(Router.PickNear(StageNames.Decoder, first)), output,
                    Plan.Generate?.OutputSize, Plan.Priority);
                var receipt = Plan.Generate is { } g
                    ? await Router.CallOnAsync(StageNames.Diffusion, first, (IDiffusionStageGrain stage) =>
                        stage.GenerateRouted(DiffusionItemOf(local, g.Seed, index, first), route, ct))
                    : await Router.CallOnAsync(StageNames.Encoder, first, (IEncoderStageGrain stage) =>
                        stage.EncodeRouted(new ImageSource(Items.InputOf(local), null, Items.SourceOf(local)), route, ct));
                Ledger.Record(local, receipt.Sha256, receipt.Producer);
            }, ct);
        }
        finally { Ledger.End(1); }
        GridTracing.End(span, outcome.Error);
        await SettleAsync([local], outcome, sw.Elapsed.TotalSeconds);
    }
}
