using System.ComponentModel;
using System.Globalization;
using Regimen.Analysis;
using Regimen.Cli;
using Regimen.Reports;
using Regimen.Runs;
using Regimen.Sessions.Watch;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class WatchCommand : Command<WatchCommand.Settings>
{
    public sealed class Settings : OutputSettings, IAcceptsTrailingArguments
    {
        [CommandArgument(0, "[PATH]"),
            Description("A log file or run folder to follow as it grows (any format analyze reads). Or, after --, a " +
                "command to run and watch.")]
        public string? Path { get; init; }

        [CommandOption("--out <DIR>"), OutputPath(OutputKind.Folder),
            Description("With -- COMMAND: record the run in this folder (metrics.csv, events.jsonl with the " +
                "findings, summary.json).")]
        public string? Out { get; init; }

        [CommandOption("--force"), Description("Overwrite an existing --out folder.")]
        public bool Force { get; init; }

        [CommandOption("--stop-on <SEVERITY>"),
            Description("warning or critical: stop the command at the first finding this severe (SIGINT, SIGTERM " +
                "after --grace); watch then exits with 5.")]
        public string? StopOn { get; init; }

        [CommandOption("--grace <SECONDS>"),
            Description("How long a stopped command has after SIGINT before SIGTERM, and after SIGTERM before " +
                "SIGKILL (default 30).")]
        public double Grace { get; init; } = 30;

        [CommandOption("--on-finding <CMD>"),
            Description("A shell command run for each finding announced, the finding as JSON on its standard input.")]
        public string? OnFinding { get; init; }

        [CommandOption("--notify"),
            Description("Ring the terminal bell (and show a desktop notification where the terminal can) at each " +
                "warning or critical finding.")]
        public bool Notify { get; init; }

        [CommandOption("--stall-factor <X>"),
            Description("No new epoch within X times the median epoch time is a stall (default 3).")]
        public double StallFactor { get; init; } = 3;

        [CommandOption("--until-idle <SECONDS>"),
            Description("Following a PATH: stop once the log has not changed for this long (default: until the run " +
                "ends or Ctrl-C).")]
        public double? UntilIdle { get; init; }

        [CommandOption("--poll <SECONDS>"), Description("Following a PATH: how often to look at it (default 0.5).")]
        public double Poll { get; init; } = 0.5;

        [CommandOption("--monitor|--metric <NAME>"),
            Description("The series to judge, any the watched log has, as in analyze: val_acc (default when the log " +
                "has it), val_loss, val_top5, eval_macro_f1... --metric: its old name.")]
        public string? Monitor { get; init; }

        [CommandOption("--gap <POINTS>"),
            Description("Overfitting threshold: train-validation accuracy gap as a fraction (default 0.05).")]
        public double? Gap { get; init; }

        [CommandOption("--target <VALUE>"),
            Description("A target score for the metric (fraction for accuracy), judged at the end.")]
        public double? Target { get; init; }

        [CommandOption("--plain"),
            Description("Plain lines instead of the live display (automatic when output is not a terminal).")]
        public bool Plain { get; init; }

        public override ValidationResult Validate()
        {
            if (WatchOptions.CheckSeverity(StopOn) is { } stop) return ValidationResult.Error(stop);
            if (Monitor is { } monitor && monitor.Trim().Length == 0)
                return ValidationResult.Error("--monitor: give a series name, e.g. val_acc or val_loss");
            if (Grace is <= 0 or > 3600)
                return ValidationResult.Error($"--grace: must be between 0 and 3600 seconds, got " +
                    $"{Grace.ToString(CultureInfo.InvariantCulture)}");
            if (StallFactor <= 1)
                return ValidationResult.Error($"--stall-factor: must be above 1, got " +
                    $"{StallFactor.ToString(CultureInfo.InvariantCulture)}");
            if (UntilIdle is <= 0)
                return ValidationResult.Error($"--until-idle: must be positive, got " +
                    $"{UntilIdle.Value.ToString(CultureInfo.InvariantCulture)}");
            if (Poll is < 0.01 or > 60)
                return ValidationResult.Error($"--poll: must be between 0.01 and 60 seconds, got " +
                    $"{Poll.ToString(CultureInfo.InvariantCulture)}");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var command = context.Remaining.Raw.ToList();
        var defaults = new AnalysisOptions();
        var options = new WatchOptions
        {
            Analysis = defaults with
            {
                Monitor = s.Monitor,
                GapWarning = s.Gap ?? defaults.GapWarning,
                Target = s.Target
            },
            StopOn = s.StopOn, OnFinding = s.OnFinding, Notify = s.Notify, StallFactor = s.StallFactor,
            Grace = TimeSpan.FromSeconds(s.Grace), PollInterval = TimeSpan.FromSeconds(s.Poll),
            UntilIdle = s.UntilIdle is { } idle ? TimeSpan.FromSeconds(idle) : null,
        };
        if (command.Count > 0) return Wrap(command, s, options);
        if (s.Path is null)
            throw new RegimenException("watch: give a PATH to follow, or -- COMMAND [ARGS...] to run (e.g. regimen " +
                "watch -- python train.py)");
        if (s.Out is not null)
            throw new RegimenException("--out: records a command's run (regimen watch --out DIR -- COMMAND); a " +
                "followed PATH is a record already");
        if (s.StopOn is not null)
            throw new RegimenException("--stop-on: watch can stop only a command it runs (regimen watch --stop-on " +
                "critical -- COMMAND), or use regimen train --stop-on");
        var full = System.IO.Path.GetFullPath(s.Path);
        if (!File.Exists(full) && !Directory.Exists(full)
            && !Directory.Exists(System.IO.Path.GetDirectoryName(full.TrimEnd('/'))))
            throw new RegimenException($"{s.Path}: neither it nor the folder it would be in exists");
        return Follow(s.Path, s, options, cancellationToken);
    }

    static int Follow(string path, Settings s, WatchOptions options, CancellationToken cancellationToken)
    {
        bool live = !s.Plain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var alerts = Alerts(options);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var result = live
                ? LiveWatchView.Run(AnsiConsole.Console, view => FollowWatch.Run(path, options, view, alerts,
                    stop.Token))
                : FollowWatch.Run(path, options, new PlainWatchView(Console.Out), alerts, stop.Token);
            if (result.Summary is null)
            {
                Console.WriteLine($"watch: no epoch read from {path} ({result.Status})");
                return ExitCodes.Ok;
            }
            foreach (var line in WatchText.Summary(result.Summary, result.Status)) Console.WriteLine(line);
            return ExitCodes.Ok;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    static int Wrap(IReadOnlyList<string> command, Settings s, WatchOptions options)
    {
        if (s.Path is not null)
            throw new RegimenException($"watch: either a PATH to follow ('{s.Path}') or -- COMMAND to run, not both");
        var gate = new object();
        var view = new PlainWatchView(Console.Error, gate);
        var alerts = Alerts(options);
        using var recorder = s.Out is null ? null : new WatchedRunRecorder(RunDirectory.CreateNew(s.Out, s.Force),
            command);
        var watch = new CommandWatch(command, options, new TextOutputReader(), view, gate);
        var result = watch.Run(recorder, alerts, Console.OpenStandardOutput(), Console.OpenStandardError());
        lock (gate)
        {
            foreach (var line in WatchText.Summary(result.Summary,
                result.Status)) Console.Error.WriteLine($"watch: {line}");
            if (recorder is not null) Console.Error.WriteLine($"watch: run recorded in {recorder.Run.Path}");
            if (result.Status == "stopped")
                Console.Error.WriteLine($"watch: exit code {ExitCodes.StoppedOnFinding}: watch stopped the command " +
                    $"(its own exit code was {result.CommandExitCode})");
        }
        return result.ExitCode;
    }

    static FindingAlerts? Alerts(WatchOptions options)
    {
        if (options.OnFinding is null && !options.Notify) return null;
        var terminal = options.Notify && !Console.IsErrorRedirected ? Console.Error : null;
        return new FindingAlerts(options.OnFinding, terminal, warning => Console.Error.WriteLine($"watch: {warning}"));
    }
}
