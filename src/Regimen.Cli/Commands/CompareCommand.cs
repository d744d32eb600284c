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
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUNS>"), Description("Two or more runs or logs (any format analyze reads).")]
        public string[] Runs { get; init; } = Array.Empty<string>();

        [CommandOption("--json"), Description("Print the comparison as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--markdown <FILE>"), Description("Also write a Markdown report.")]
        public string? Markdown { get; init; }

        [CommandOption("--html <FILE>"), Description("Also write one self-contained HTML report (charts embedded).")]
        public string? Html { get; init; }

        [CommandOption("--metric <NAME>"), Description("val_acc or val_loss.")]
        public string? Metric { get; init; }

        [CommandOption("--milestones <EPOCHS>"), Description("Epochs for the table, e.g. 0,4,9,19 (default 0, 4, 9, every 10th, the last, events and bests).")]
        public string? Milestones { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Metric is not (null or "val_acc" or "val_loss")) throw new RegimenException($"--metric: must be val_acc or val_loss, got '{s.Metric}'");
        List<int>? milestones = null;
        if (s.Milestones != null)
        {
            milestones = new List<int>();
            foreach (var part in s.Milestones.Split(',', StringSplitOptions.RemoveEmptyEntries))
                milestones.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var e) && e >= 0
                    ? e : throw new RegimenException($"--milestones: '{part}' is not an epoch number"));
        }
        var logs = s.Runs.SelectMany(LogReader.Read).ToList();
        var comparison = RunComparison.Compare(logs, s.Metric, milestones);
        if (s.Json) Console.WriteLine(JsonSerializer.Serialize(comparison, new JsonSerializerOptions { WriteIndented = true }));
        else ComparisonReport.Write(AnsiConsole.Console, comparison);
        if (s.Markdown != null) AtomicFile.WriteAllText(s.Markdown, ComparisonReport.Markdown(comparison));
        if (s.Html != null) AtomicFile.WriteAllText(s.Html, HtmlReport.Comparison(comparison, logs));
        return 0;
    }
}
