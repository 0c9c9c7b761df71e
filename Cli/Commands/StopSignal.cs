using System.Runtime.InteropServices;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM for commands that watch a job. Until a command takes the signals (<see cref="Take"/>)
/// they end the process as usual; after, they cancel the command's token instead, the command stops promptly (leaving
/// its job running) and exits with 130 after SIGINT or 143 after SIGTERM (128 + the signal number, as shells report
/// them). A command that has not ended <see cref="Grace"/> after the signal is ended with that code anyway.
/// </summary>
internal static class StopSignal
{
    /// <summary>Exit code of a command stopped by Ctrl-C (SIGINT).</summary>
    public const int InterruptExitCode = 130;

    /// <summary>Exit code of a command stopped by SIGTERM.</summary>
    public const int TerminateExitCode = 143;

    /// <summary>How long a command may take to stop after the signal before the process exits without it.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private static readonly CancellationTokenSource Stop = new();
    private static PosixSignalRegistration? _interrupt, _terminate;
    private static volatile int _received;
    private static volatile bool _taken;

    /// <summary>Starts listening for the signals (once, at start-up).</summary>
    public static void Listen()
    {
        _interrupt ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    private static void OnSignal(PosixSignalContext context)
    {
        if (!_taken) return; // no command handles it: the process ends as usual
        context.Cancel = true;
        if (_received != 0) return;
        _received = context.Signal == PosixSignal.SIGINT ? InterruptExitCode : TerminateExitCode;
        Stop.Cancel();
        // Never hang on a signal: a command that does not stop in time is ended with the same code.
        _ = Task.Delay(Grace).ContinueWith(_ => ExitNow(), TaskScheduler.Default);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void NativeExit(int status);

    /// <summary>
    /// Ends the process at once with the signal's exit code, as a crash would but with that code: no finalizers and no
    /// native teardown. An embedded silo's models may still be loading or running on other threads, and libtorch's
    /// teardown at a normal exit then corrupts the heap (the process aborted with 134 instead of exiting with 143).
    /// </summary>
    public static void ExitNow()
    {
        Console.Out.Flush();
        Console.Error.Flush();
        if (OperatingSystem.IsWindows()) Environment.Exit(ExitCode);
        NativeExit(ExitCode);
    }

    /// <summary>The token a signal cancels; from now on Ctrl-C/SIGTERM are the calling command's to handle.</summary>
    public static CancellationToken Take()
    {
        _taken = true;
        return Stop.Token;
    }

    /// <summary>Whether a stop signal has arrived since a command took them.</summary>
    public static bool Received => _received != 0;

    /// <summary>The exit code for the signal received: 130 (SIGINT) or 143 (SIGTERM).</summary>
    public static int ExitCode => _received != 0 ? _received : TerminateExitCode;
}
