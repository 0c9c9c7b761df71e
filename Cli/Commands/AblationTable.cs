using System.Globalization;
using RAE.Grid.Training.Recipe;
using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>Ablation rows as a Markdown table (what the README records).</summary>
internal static class AblationTable
{
    public static string Markdown(IReadOnlyList<AblationRow> rows)
    {
        static string F(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "–";
        var lines = new List<string>
        {
            "| ablation | arm | model | steps | train s | final loss | PSNR | SSIM | FD ↓ | probe acc ↑ | FD real-vs-real |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        };
        lines.AddRange(rows.Select(r =>
            $"| {r.Ablation} | {r.Arm} | {r.Model} | {r.Steps} | {F(r.TrainSeconds, "F0")} | {F(r.FinalLoss, "F4")} | {F(r.Psnr, "F2")} | {F(r.Ssim, "F4")} | {F(r.Fd, "F3")} | {F(r.ProbeAccuracy, "F3")} | {F(r.FdReal, "F3")} |"));
        return string.Join('\n', lines) + "\n";
    }
}
