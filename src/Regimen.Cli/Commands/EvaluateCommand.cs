using System.ComponentModel;
using System.Text.Json;
using Regimen.Analysis;
using Regimen.Reports;
using Regimen.Sessions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN|CHECKPOINT>"), Description("A run folder (its best checkpoint) or a .ckpt file.")]
        public string Target { get; init; } = "";

        [CommandOption("--tta"), Description("Also score with horizontal-flip test-time augmentation.")]
        public bool Tta { get; init; }

        [CommandOption("--data <DIR>"), Description("Folder with the data set's files.")]
        public string? Data { get; init; }

        [CommandOption("--json"), Description("Print the report as JSON instead of tables.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var report = CheckpointEvaluation.Evaluate(s.Target, s.Data, s.Tta);
        if (s.Json) Console.WriteLine(JsonSerializer.Serialize(report, MeasuredDoubleConverter.Indented()));
        else ClassificationReportView.Write(AnsiConsole.Console, report);
        return 0;
    }
}
