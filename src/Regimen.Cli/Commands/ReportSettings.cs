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

    [CommandOption("--monitor|--metric <NAME>"),
     Description("The metric judged: val_acc or val_loss (default: val_acc when every log has it); analyze takes any " +
                 "series the log has. --metric: its old name.")]
    public string? Monitor { get; init; }

    public override Spectre.Console.ValidationResult Validate() =>
        Monitor is null or "val_acc" or "val_loss"
            ? Spectre.Console.ValidationResult.Success()
            : Spectre.Console.ValidationResult.Error($"--monitor: must be val_acc or val_loss, got '{Monitor}'");
}
