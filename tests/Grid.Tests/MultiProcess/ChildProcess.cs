using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RAE.Grid.Grid.Tests.MultiProcess;

/// <summary>
/// A process a test started: its stdout and stderr are captured line by line (the last <see cref="MaxLines"/>, each
/// stamped with the seconds since start) so a failure message can show them; disposing it kills its whole process tree.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    /// <summary>Lines kept per process (older ones are dropped; silos log a lot at Information).</summary>
    public const int MaxLines = 4000;

    // Live children, killed if the test host exits without disposing them (a cancelled run, SIGTERM): silos and
    // redis-server would otherwise outlive it and hold their ports.
    static readonly ConcurrentDictionary<ChildProcess, byte> Live = new();

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var child in Live.Keys) child.Kill();
    };

    readonly Process _process;
    readonly ConcurrentQueue<string> _lines = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _dropped;

    ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>The name used in logs and failure messages ("silo-a", "client-generate").</summary>
    public string Name { get; }

    /// <summary>The command line, for failure messages.</summary>
    public string CommandLine => $"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList.Select(Quote))}";

    /// <summary>The operating system's process id (to send it a signal, or for /proc readings such as peak RSS).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>. The
    /// environment is this process's, with <paramref name="environment"/> applied on top (a null value removes a variable).
    /// </summary>
    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // never wait on a terminal
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment)
            if (v is null) info.Environment.Remove(k); else info.Environment[k] = v;
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.Capture(e.Data, child._outputClosed);
        process.ErrorDataReceived += (_, e) => child.Capture(e.Data, child._errorClosed);
        process.Start();
        Live.TryAdd(child, 0);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    void Capture(string? line, TaskCompletionSource closed)
    {
        if (line is null) { closed.TrySetResult(); return; }
        _lines.Enqueue($"[{_clock.Elapsed.TotalSeconds,7:F2}s] {line}");
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Everything captured so far.</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>The last <paramref name="lines"/> captured lines, headed by the name and command line.</summary>
    public string Tail(int lines)
    {
        var all = _lines.ToArray();
        var shown = all.Skip(Math.Max(0, all.Length - lines));
        string state;
        try { state = _process.HasExited ? $"exited with code {_process.ExitCode}" : "still running"; }
        catch (InvalidOperationException) { state = "gone"; }
        var skipped = all.Length - shown.Count() + Volatile.Read(ref _dropped);
        return $"----- {Name} ({state}): {CommandLine}\n" + (skipped > 0 ? $"  ... {skipped} earlier lines not shown\n" : "")
               + string.Join('\n', shown);
    }

    /// <summary>Waits for the process to exit and its output to be read; returns the exit code, or null after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(TimeSpan.FromSeconds(5));
            return _process.ExitCode;
        }
        catch (OperationCanceledException) { return null; }
        catch (TimeoutException) { return _process.ExitCode; }
    }

    /// <summary>Kills the process tree (if still running) and waits briefly for it to go.</summary>
    public void Kill()
    {
        try
        {
            if (_process.HasExited) return;
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { } // already gone
        catch (System.ComponentModel.Win32Exception) { } // exiting while we killed it
    }

    public void Dispose()
    {
        Kill();
        Live.TryRemove(this, out _);
        _process.Dispose();
    }

    static string Quote(string a) => a.Length > 0 && !a.Any(char.IsWhiteSpace) && !a.Contains('"') ? a : $"\"{a.Replace("\"", "\\\"")}\"";
}

/// <summary>Free loopback ports.</summary>
public static class Ports
{
    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    /// <summary><paramref name="count"/> distinct free loopback ports.</summary>
    public static int[] FreeLoopbackPorts(int count)
    {
        // Hold every listener until all are chosen, so the ports are distinct.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var l in listeners) l.Start();
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally { foreach (var l in listeners) l.Stop(); }
    }
}
