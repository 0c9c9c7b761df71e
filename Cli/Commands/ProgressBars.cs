using Spectre.Console;

namespace RAE.Grid.Cli.Commands;

/// <summary>The CLI's progress display for long loops (training, uploads): bars that stay after they finish, with elapsed and remaining time.</summary>
internal static class ProgressBars
{
    public static Progress Create() =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn());
}
