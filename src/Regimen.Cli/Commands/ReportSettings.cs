using System.ComponentModel;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

/// <summary>The output options analyze and compare share.</summary>
public abstract class ReportSettings : OutputSettings
{
    [CommandOption("--json"), Description("Print the result as JSON (stable field names, docs/analysis.md).")]
    public bool Json { get; init; }

    [CommandOption("--markdown <FILE>"), OutputPath, Description("Also write a Markdown report.")]
    public string? Markdown { get; init; }

    [CommandOption("--html <FILE>"), OutputPath, Description("Also write one self-contained HTML report (charts " +
        "embedded).")]
    public string? Html { get; init; }

    // Any series the logs have; the name is checked against them once they are read (MonitoredSeries).
    [CommandOption("--monitor|--metric <NAME>"),
     Description("The metric judged: any series the logs have, val_acc, val_loss, val_top5, train_loss or a column " +
                 "kept by name such as eval_macro_f1 (default: val_acc when every log has it; lower is better for " +
                 "losses, errors and times, higher for the rest). --metric: its old name.")]
    public string? Monitor { get; init; }
}
