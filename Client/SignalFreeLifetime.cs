using Microsoft.Extensions.Hosting;

namespace RAE.Grid.Client;

/// <summary>
/// A host lifetime that leaves Ctrl-C and SIGTERM to the program owning the host. The default console lifetime takes
/// those signals (cancelling the process's own handling) and only asks the host to stop, which a host started with
/// <c>StartAsync</c> inside a command never notices: a watching command then ignored SIGTERM. With this lifetime the
/// host starts and stops when its owner says, and the owner decides what a signal means.
/// </summary>
public sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
