using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Regimen.Analysis;
using Regimen.Reports;
using Regimen.Runs.Readers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class AnalyzeCommand : Command<AnalyzeCommand.Settings>
{
    public sealed class Settings : ReportSettings
    {
        [CommandArgument(0, "[PATH]"), Description("A run or experiment folder, a folder of logs, or a log of any " +
            "tool: CSV (Keras, fastai, timm, Lightning, YOLO, FFCV, pandas), TSV, trainer_state.json, JSON lines " +
            "(DeiT, mmcv, mmengine), a JSON history, TensorBoard events, console output (also in Markdown). The " +
            "format is told from the content (--formats lists them).")]
        public string? Path { get; init; }

        [CommandOption("--formats"), Description("List the log readers, what each recognizes, and exit.")]
        public bool Formats { get; init; }

        [CommandOption("--format <NAME>"), Description("Read the file with this reader instead of detecting it (see " +
            "--formats).")]
        public string? Format { get; init; }

        [CommandOption("--map <ROLE=COLUMN>"), Description("Read a role from a column (or JSON key, or text-log key) " +
            "of the log, e.g. --map val_acc=metrics/accuracy_top1 (repeatable; roles: epoch, step, train_loss, " +
            "val_loss, train_acc, val_acc, val_top5, lr, epoch_time).")]
        public string[] Map { get; init; } = Array.Empty<string>();

        [CommandOption("--png <PREFIX>"), OutputPath(OutputKind.Prefix), Description("Also write PNG charts: " +
            "PREFIX-curves.png (accuracy and loss, phases, events), -gap.png, -schedule.png (learning rate, " +
            "resolution), -folds.png (experiments).")]
        public string? Png { get; init; }

        [CommandOption("--target <VALUE>"), Description("A target score for the metric (fraction for accuracy).")]
        public double? Target { get; init; }

        [CommandOption("--milestone <EPOCH=VALUE>"), Description("A milestone to hit, e.g. --milestone 15=0.38 " +
            "(repeatable).")]
        public string[] Milestones { get; init; } = Array.Empty<string>();

        [CommandOption("--plateau-epochs <N>"), Description("Plateau window in epochs (default 5).")]
        public int? PlateauEpochs { get; init; }

        [CommandOption("--plateau-delta <X>"), Description("The least gain over the window that is not a plateau " +
            "(default 0.002; relative for losses).")]
        public double? PlateauDelta { get; init; }

        [CommandOption("--degradation <X>"), Description("How much worse than the best the final value may end " +
            "(default 0.01; relative for losses).")]
        public double? Degradation { get; init; }

        [CommandOption("--shift-gap <X>"), Description("The gap jump after a schedule change that is reported " +
            "(default 0.03).")]
        public double? ShiftGap { get; init; }

        [CommandOption("--val-size <N>"), Description("Validation images per accuracy, for a log that does not " +
            "record it: accuracies are then judged against their binomial standard error (Regimen runs record it).")]
        public int? ValSize { get; init; }

        [CommandOption("--classes <N>"), Description("The number of classes, for a log that does not record it: " +
            "chance is 1/N.")]
        public int? Classes { get; init; }

        [CommandOption("--warning-se <X>"), Description("Standard errors of its noise an effect needs for a warning " +
            "(default 2.5).")]
        public double? WarningSe { get; init; }

        [CommandOption("--critical-se <X>"), Description("Standard errors of its noise an effect needs for a " +
            "critical finding (default 4).")]
        public double? CriticalSe { get; init; }

        [CommandOption("--gap <POINTS>"), Description("Overfitting threshold: train-validation accuracy gap as a " +
            "fraction (default 0.05).")]
        public double? Gap { get; init; }

        // analyze judges any series a log has (--monitor eval_macro_f1); the name is checked against the log once read.
        public override Spectre.Console.ValidationResult Validate() =>
            Formats || Path is not null ? Spectre.Console.ValidationResult.Success()
                : Spectre.Console.ValidationResult.Error("analyze: a PATH is needed (a run folder or a log file), or " +
                    "--formats");
    }

    static int ListFormats()
    {
        var table = new Table().AddColumns("format", "recognized by");
        foreach (var r in LogReaders.All) table.AddRow(Markup.Escape(r.Name), Markup.Escape(r.LooksFor));
        foreach (var (name, looksFor) in LogReaders.Folders) table.AddRow(Markup.Escape(name), Markup.Escape(looksFor));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]--format NAME forces a file reader; --map ROLE=COLUMN overrides a column's " +
            "role (docs/analysis.md).[/]");
        return 0;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Formats) return ListFormats();
        if (s.Format is not null) LogReaders.Find(s.Format);   // an unknown name fails before any file is read
        var read = new ReadOptions { Format = s.Format, Map = ColumnRoles.ParseMap(s.Map) };
        var milestones = new Dictionary<int, double>();
        foreach (var m in s.Milestones)
        {
            var parts = m.Split('=');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var e) ||
                !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                throw new RegimenException($"--milestone {m}: expected EPOCH=VALUE, e.g. 15=0.38");
            milestones[e] = v;
        }
        var defaults = new AnalysisOptions();
        var options = defaults with
        {
            Monitor = s.Monitor,
            Target = s.Target,
            Milestones = milestones,
            GapWarning = s.Gap ?? defaults.GapWarning,
            PlateauEpochs = s.PlateauEpochs ?? defaults.PlateauEpochs,
            PlateauDelta = s.PlateauDelta ?? defaults.PlateauDelta,
            DegradationDelta = s.Degradation ?? defaults.DegradationDelta,
            ShiftGap = s.ShiftGap ?? defaults.ShiftGap,
            ValidationSize = s.ValSize,
            Classes = s.Classes,
            WarningSe = s.WarningSe ?? defaults.WarningSe,
            CriticalSe = s.CriticalSe ?? defaults.CriticalSe,
        };
        if (s.ValSize is < 1)
            throw new RegimenException($"--val-size: must be a number of images (at least 1), got {s.ValSize}");
        if (s.Classes is < 2) throw new RegimenException($"--classes: must be at least 2, got {s.Classes}");
        if (options.WarningSe <= 0 || options.CriticalSe < options.WarningSe)
            throw new RegimenException($"--warning-se/--critical-se: need 0 < warning ({options.WarningSe}) <= " +
                $"critical ({options.CriticalSe})");
        if (options.PlateauEpochs < 1)
            throw new RegimenException($"--plateau-epochs: must be at least 1, got {options.PlateauEpochs}");
        // A folder of runs: each run found once, its section named by its path below the folder (RunFolders).
        var folder = Directory.Exists(s.Path) && !RunFolders.IsOneRun(s.Path) ? RunFolders.Scan(s.Path, read) : null;
        if (folder is { Runs.Count: 0 }) folder = null;   // LogReader says what it looked for and what it skipped
        var runs = folder?.Runs.Select(r => r.Logs).ToList() ?? new() { LogReader.Read(s.Path!, read) };
        var logs = runs.SelectMany(r => r).ToList();
        if (s.Monitor is { } monitor && !logs.Any(l => MonitoredSeries.Has(l, monitor)))
            throw new RegimenException($"--monitor {monitor}: {s.Path} has no such series" +
                MonitoredSeries.Hint(monitor, logs));
        // One section per run: an experiment's folds together, else each log (a file may hold several runs).
        var sections = runs.SelectMany(run => run.Any(l => l.Fold is not null)
            ? new[] { (Analysis: Analyst.AnalyzeFolds(run, options), Logs: run) }
            : run.Select(l =>
                (Analysis: Analyst.Analyze(l, options), Logs: (IReadOnlyList<Runs.TrainingLog>)new[] { l })))
            .ToList();
        var analyses = sections.Select(x => x.Analysis).ToList();
        if (folder is not null && s.Json)
            foreach (var line in RunFolderReport.Lines(folder)) Console.Error.WriteLine(line);
        else if (folder is not null) RunFolderReport.Write(AnsiConsole.Console, folder);
        if (s.Json)
        {
            var json = analyses.Count == 1 ? JsonSerializer.Serialize(analyses[0], JsonOptions)
                : JsonSerializer.Serialize(analyses, JsonOptions);
            Console.WriteLine(json);
        }
        else
            foreach (var (analysis, runLogs) in sections) AnalysisReport.Write(AnsiConsole.Console, analysis, runLogs);
        if (s.Png != null)
        {
            PngCharts.Curves(logs, s.Png + "-curves.png");
            Written.Report(s.Png + "-curves.png", s.Json);
            PngCharts.Gap(logs, s.Png + "-gap.png", options.GapWarning);
            Written.Report(s.Png + "-gap.png", s.Json);
            PngCharts.Schedule(logs, s.Png + "-schedule.png");
            Written.Report(s.Png + "-schedule.png", s.Json);
            if (logs.Any(l => l.Fold is not null))
            {
                PngCharts.Folds(logs, s.Png + "-folds.png", analyses[0].Monitor);
                Written.Report(s.Png + "-folds.png", s.Json);
            }
        }
        if (s.Html != null)
            Written.Text(s.Html, HtmlReport.Analyses(sections), s.Json);
        if (s.Markdown != null)
            Written.Text(s.Markdown, (folder is null ? "" : RunFolderReport.Markdown(folder))
                + string.Join("\n", sections.Select(x => AnalysisReport.Markdown(x.Analysis, x.Logs))), s.Json);
        return 0;
    }

    static readonly JsonSerializerOptions JsonOptions = MeasuredDoubleConverter.Indented();
}
