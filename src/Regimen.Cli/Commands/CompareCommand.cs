using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Regimen.Analysis;
using Regimen.Reports;
using Regimen.Runs.Readers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : ReportSettings
    {
        [CommandArgument(0, "<RUNS>"), Description("Two or more runs or logs (any format analyze reads).")]
        public string[] Runs { get; init; } = Array.Empty<string>();

        [CommandOption("--milestones <EPOCHS>"), Description("Epochs for the table, e.g. 0,4,9,19 (default 0, 4, 9, " +
            "every 10th, the last, events and bests).")]
        public string? Milestones { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        List<int>? milestones = null;
        if (s.Milestones != null)
        {
            milestones = new List<int>();
            foreach (var part in s.Milestones.Split(',', StringSplitOptions.RemoveEmptyEntries))
                milestones.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var e) &&
                    e >= 0
                    ? e : throw new RegimenException($"--milestones: '{part}' is not an epoch number"));
        }
        // Two runs both called history (x/history.csv, y/history.csv) are told apart by their paths.
        var logs = RunLabels.Unique(s.Runs.SelectMany(path => LogReader.Read(path).Select(log => (path, log)))
            .ToList());
        if (s.Monitor is { } monitor && MonitoredSeries.MissingFromSome(monitor, logs) is { } missing)
            throw new RegimenException(missing);
        var comparison = RunComparison.Compare(logs, s.Monitor, milestones);
        if (s.Json) Console.WriteLine(JsonSerializer.Serialize(comparison, MeasuredDoubleConverter.Indented()));
        else ComparisonReport.Write(AnsiConsole.Console, comparison);
        if (s.Markdown != null) Written.Text(s.Markdown, ComparisonReport.Markdown(comparison), s.Json);
        if (s.Html != null) Written.Text(s.Html, HtmlReport.Comparison(comparison, logs), s.Json);
        return 0;
    }
}
