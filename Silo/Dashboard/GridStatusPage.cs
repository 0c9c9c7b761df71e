using System.Globalization;
using System.Text;
using RAE.Grid.Contracts;
using static System.Net.WebUtility;

namespace RAE.Grid.Silo.Dashboard;

/// <summary>
/// The status page's HTML: rendered on the server from one <see cref="GridStatus"/>, so it shows the same in any browser
/// and in a test's headless one, with no script. Rows carry data- attributes (job id, stage, silo) for scripts and tests.
/// </summary>
public static class GridStatusPage
{
    /// <summary>The page for <paramref name="status"/>, reloading every <paramref name="refreshSeconds"/> (0: never).</summary>
    public static string Render(GridStatus status, int refreshSeconds)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>RAE.Grid status</title>");
        if (refreshSeconds > 0) h.Append($"<meta http-equiv=\"refresh\" content=\"{refreshSeconds}\">");
        h.Append("<style>").Append(Style).Append("</style></head><body>");
        h.Append($"<h1>RAE.Grid</h1><p class=\"meta\">{Enc(status.At.ToString("u"))} · {status.Silos.Length} silo(s) · {status.JobCount} job(s) · " +
                 "<a href=\"/orleans/\">Orleans dashboard</a> · <a href=\"/api/status\">JSON</a></p>");
        foreach (var p in status.Problems) h.Append($"<p class=\"problem\">{Enc(p)}</p>");
        Jobs(h, status);
        Stages(h, status);
        Scaling(h, status);
        return h.Append("</body></html>").ToString();
    }

    static void Jobs(StringBuilder h, GridStatus status)
    {
        h.Append($"<h2>Jobs (newest {status.Jobs.Length})</h2><table id=\"jobs\"><tr><th>job</th><th>kind</th><th>state</th><th>progress</th>" +
                 "<th>done</th><th>failed</th><th>in flight</th><th>total</th><th>items/s</th><th>ETA</th></tr>");
        foreach (var j in status.Jobs)
        {
            var pct = (j.Progress * 100).ToString("0.#", CultureInfo.InvariantCulture);
            var eta = GridStatus.EtaSeconds(j, status.At) is double s ? $"{s:0} s" : "";
            h.Append($"<tr class=\"job\" data-job=\"{Enc(j.JobId)}\" data-state=\"{j.State}\"><td>{Enc(j.JobId)}</td><td>{j.Kind}</td>" +
                     $"<td>{j.State}</td><td><div class=\"bar\"><div style=\"width:{pct}%\"></div></div>{pct} %</td><td>{j.Done}</td>" +
                     $"<td>{j.Failed}</td><td>{j.InFlight}</td><td>{j.Total}</td><td>{F(GridStatus.Throughput(j, status.At))}</td><td>{eta}</td></tr>");
        }
        h.Append("</table>");
    }

    static void Stages(StringBuilder h, GridStatus status)
    {
        h.Append("<h2>Stages per silo</h2><table id=\"stages\"><tr><th>silo</th><th>status</th><th>stage</th><th>bundle</th><th>replica</th>" +
                 "<th>device</th><th>loaded</th><th>queue depth</th><th>running</th><th>batches</th><th>mean batch</th><th>items</th><th>items/s</th></tr>");
        foreach (var silo in status.Silos)
        foreach (var r in silo.Replicas.Where(r => !r.IsIdle))
            h.Append($"<tr class=\"stage\" data-silo=\"{Enc(silo.Silo)}\" data-stage=\"{Enc(r.Stage)}\" data-bundle=\"{Enc(r.Bundle)}\">" +
                     $"<td>{Enc(silo.Silo)}</td><td>{Enc(silo.Status)}</td><td>{Enc(r.Stage)}</td><td>{Enc(r.Bundle)}</td><td>{r.Replica}</td>" +
                     $"<td>{Enc(r.Device)}</td><td>{(r.Loaded ? "yes" : "no")}</td><td>{r.QueueDepth}</td><td>{r.Running}</td><td>{r.Batches}</td>" +
                     $"<td>{F(r.MeanBatchSize)}</td><td>{r.Items}</td><td>{F(r.ItemsPerSecond)}</td></tr>");
        h.Append("</table>");
        if (status.Silos.Sum(s => s.Replicas.Count(r => r.IsIdle)) is > 0 and var idle)
            h.Append($"<p class=\"meta\">{idle} idle replica(s) (never loaded or used) not shown; <a href=\"/api/status\">JSON</a> has them.</p>");
    }

    static void Scaling(StringBuilder h, GridStatus status)
    {
        h.Append("<h2>Scaling</h2><table id=\"scaling\"><tr><th>stage</th><th>bundle</th><th>replicas</th><th>desired</th><th>backlog</th><th>items/s</th></tr>");
        var shown = status.Silos.SelectMany(s => s.Replicas).Where(r => !r.IsIdle).Select(r => (r.Stage, r.Bundle)).ToHashSet();
        foreach (var s in status.Scaling.Where(s => shown.Contains((s.Stage, s.Bundle)) || s.Backlog > 0))
            h.Append($"<tr class=\"scaling\" data-stage=\"{Enc(s.Stage)}\" data-bundle=\"{Enc(s.Bundle)}\"><td>{Enc(s.Stage)}</td><td>{Enc(s.Bundle)}</td>" +
                     $"<td>{s.CurrentReplicas}</td><td>{s.DesiredReplicas}</td><td>{s.Backlog}</td><td>{F(s.ItemsPerSecond)}</td></tr>");
        h.Append("</table>");
    }

    static string Enc(string s) => HtmlEncode(s);
    static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    const string Style =
        "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}h1{margin:0}h2{margin-top:1.4em;font-size:1.1em}" +
        ".meta{color:#666}.problem{color:#a00}table{border-collapse:collapse;font-size:.9em}" +
        "th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left}th{background:#f4f4f4}" +
        ".bar{display:inline-block;width:8em;height:.7em;background:#eee;margin-right:.4em}.bar div{height:100%;background:#3a7}";
}
