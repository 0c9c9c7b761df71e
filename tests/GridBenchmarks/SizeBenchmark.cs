using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using RAE.Grid.Contracts;
using RAE.Grid.Grains.Configuration;
using RAE.Grid.Grains.Storage;

namespace RAE.Grid.GridBenchmarks;

/// <summary>
/// Job size: generation jobs of each size in <see cref="BenchOptions.Sizes"/> (default bundle, <see cref="BenchOptions.Steps"/>
/// steps, no guidance) on one silo in a fresh process each (job state in local files and a local store, as the embedded
/// default), so each size's peak RSS is its own. Prints time per item against the first (smallest) size, peak RSS, and
/// the grain-state bytes written per item (from <see cref="StateMetrics"/>), which must not grow with the job.
/// </summary>
public static class SizeBenchmark
{
    /// <summary>Runs each size in a child process and prints the table.</summary>
    public static async Task RunAsync(BenchOptions o)
    {
        if (o.Settings.Count > 0) Report.Line("  silo settings: " + string.Join(", ", o.Settings.Select(kv => $"{kv.Key}={kv.Value}")));
        Report.Header($"size: generation jobs of {string.Join(", ", o.Sizes.Select(n => n.ToString("N0")))} items, {o.Steps} steps, no guidance, one silo per process");
        var results = new List<JsonElement>();
        foreach (var n in o.Sizes)
        {
            var args = new List<string> { Environment.ProcessPath!.EndsWith("dotnet") ? typeof(SizeBenchmark).Assembly.Location : "", "--only", "size-one", "--items", n.ToString(), "--steps", o.Steps.ToString() };
            if (o.Bundle is { } b) args.AddRange(["--bundle", b]);
            if (o.Threads is int t) args.AddRange(["--threads", t.ToString()]);
            foreach (var (key, value) in o.Settings) args.AddRange(["--set", $"{key}={value}"]);
            var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args.Where(a => a.Length > 0)) psi.ArgumentList.Add(a);
            using var child = Process.Start(psi)!;
            JsonElement? result = null;
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("SIZE-RESULT ")) result = JsonDocument.Parse(line["SIZE-RESULT ".Length..]).RootElement.Clone();
                else Console.WriteLine("    " + line);
            }
            await child.WaitForExitAsync();
            if (result is null) { Report.Line($"  {n} items: the child process printed no result (exit {child.ExitCode})"); return; }
            results.Add(result.Value);
        }
        var baseMs = results[0].GetProperty("ms_per_item").GetDouble();
        Report.Table(["items", "seconds", "ms/item", "× first", "peak RSS MB", "state B/item", "job B/item", "partition B/item", "index B/item", "state writes"],
            results.Select(r => new[]
            {
                r.GetProperty("items").GetInt64().ToString("N0"), Report.F(r.GetProperty("seconds").GetDouble(), 1),
                Report.F(r.GetProperty("ms_per_item").GetDouble(), 3), Report.F(r.GetProperty("ms_per_item").GetDouble() / baseMs, 2),
                Report.F(r.GetProperty("peak_rss_mb").GetDouble(), 0), Report.F(r.GetProperty("state_bytes_per_item").GetDouble(), 1),
                Report.F(PerItem(r, "JobGrainState"), 1), Report.F(PerItem(r, "PartitionState"), 1), Report.F(PerItem(r, "JobIndexState"), 1),
                r.GetProperty("state_writes").GetInt64().ToString("N0"),
            }));
        var last = results[^1];
        Report.Line($"RATIO size: time per item at {last.GetProperty("items").GetInt64():N0} items ÷ at {results[0].GetProperty("items").GetInt64():N0} = " +
                    Report.F(last.GetProperty("ms_per_item").GetDouble() / baseMs, 2));

        static double PerItem(JsonElement r, string state) =>
            r.GetProperty("bytes_by_state").TryGetProperty(state, out var b) ? b.GetDouble() / r.GetProperty("items").GetDouble() : 0;
    }

    /// <summary>One size in this process: prints progress lines and one "SIZE-RESULT {json}" line.</summary>
    public static async Task RunOneAsync(BenchOptions o, string root)
    {
        var bundle = o.Bundle ?? DefaultBundle();
        var bytes = new Dictionary<string, long>();
        long writes = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == StateMetrics.MeterName) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (bytes)
            {
                if (instrument.Name == "rae.state.writes") { writes += value; return; }
                var state = tags.Length > 0 ? tags[0].Value?.ToString() ?? "?" : "?";
                bytes[state] = bytes.GetValueOrDefault(state) + value;
            }
        });
        listener.Start();

        await using var silo = await BenchSilo.StartAsync(new BenchSilo.Spec(root, bundle, StageNames.All, MaxInFlightItems: 1024, StateKind: "local",
            Extra: o.Settings));
        var items = o.Items;
        var classes = Enumerable.Range(0, 10).ToArray();
        var perClass = (items + classes.Length - 1) / classes.Length;
        var request = new JobRequest(JobKind.Generate, BenchSilo.BundleId,
            Generate: new GenerateSpec(classes, perClass, Seed: 0, new SamplingSpec(Steps: o.Steps, Guidance: "none")));
        var job = silo.Grains.GetGrain<IJobGrain>($"size-{items}");
        var clock = Stopwatch.StartNew();
        var status = await job.Start(request);
        var nextReport = 0.1;
        while (!status.IsFinished)
        {
            await Task.Delay(1000);
            status = await job.GetStatus();
            if (status.Progress >= nextReport)
            {
                Console.WriteLine($"{status.Progress:P0} after {clock.Elapsed.TotalSeconds:F0} s, RSS {Rss("VmRSS"):F0} MB");
                nextReport = Math.Floor(status.Progress * 10 + 1) / 10;
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (status.State != JobState.Completed) Console.WriteLine($"job ended {status.State}: {status.Failed} failed, {status.Message}");
        listener.RecordObservableInstruments();
        long total;
        lock (bytes) total = bytes.Values.Sum();
        Console.WriteLine("SIZE-RESULT " + JsonSerializer.Serialize(new
        {
            items = status.Total, done = status.Done, seconds, ms_per_item = seconds * 1000 / status.Total, peak_rss_mb = Rss("VmHWM"),
            state_bytes_per_item = (double)total / status.Total, state_writes = writes, bytes_by_state = bytes,
        }));
    }

    /// <summary>The repository's default bundle (bundles/fashion-mnist), found above this program's folder.</summary>
    internal static string DefaultBundle()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bundles", "fashion-mnist", "bundle.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("bundles/fashion-mnist/bundle.json not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A /proc/self/status memory figure in MB (VmRSS now, VmHWM the peak).</summary>
    static double Rss(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }
}
