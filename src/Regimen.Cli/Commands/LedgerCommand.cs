using System.ComponentModel;
using System.Text.Json;
using Regimen.Evolve;
using Regimen.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class LedgerCommand : Command<LedgerCommand.Settings>
{
    public sealed class Settings : OutputSettings
    {
        [CommandArgument(0, "<WORKSPACE>"), Description("An evolve workspace.")]
        public string Workspace { get; init; } = "";

        [CommandOption("--json"), Description("Print the trials as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--markdown <FILE>"), OutputPath, Description("Also write the lineage report as Markdown.")]
        public string? Markdown { get; init; }

        [CommandOption("--png <FILE>"), OutputPath, Description("Also write a chart of the score per trial with the " +
            "best so far.")]
        public string? Png { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var workspace = Workspace.Open(s.Workspace);
        var settings = workspace.Settings;
        var state = LedgerState.Replay(workspace.Ledger.Read());
        var json = new { settings, best = state.Best?.Id, stopped = state.Stopped?.Reason, trials = state.Trials };
        if (s.Json) Console.WriteLine(JsonSerializer.Serialize(json, MeasuredDoubleConverter.Indented()));
        else LineageReport.WriteTable(AnsiConsole.Console, state, settings, workspace.Path);
        if (s.Png != null)
        {
            LineageReport.Chart(state, settings, s.Png);
            Written.Report(s.Png, s.Json);
        }
        if (s.Markdown != null)
        {
            string? chart = s.Png is null ? null
                : Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(s.Markdown))!, Path.GetFullPath(s.Png));
            Written.Text(s.Markdown, LineageReport.Markdown(state, settings, workspace.Path, chart), s.Json);
        }
        return 0;
    }
}
