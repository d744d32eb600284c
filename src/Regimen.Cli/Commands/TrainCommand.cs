using System.ComponentModel;
using Regimen.Recipes;
using Regimen.Reports;
using Regimen.Runs;
using Regimen.Sessions;
using Regimen.Sessions.Watch;
using Regimen.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : OutputSettings
    {
        [CommandArgument(0, "[RECIPE]"), Description("A recipe file or built-in recipe name (default: fashion-mnist).")]
        public string? Recipe { get; init; }

        [CommandOption("--data <DIR>"), Description("Folder with the data set's files (default: where its package " +
            "installs them).")]
        public string? Data { get; init; }

        [CommandOption("--epochs <N>")]
        [Description("Override the recipe's epochs (with --resume: only the run's own).")]
        public int? Epochs { get; init; }

        [CommandOption("--extend <N>")]
        [Description("With --resume: train N more epochs, the learning rate on a new tail from its current value.")]
        public int? Extend { get; init; }

        [CommandOption("--tail <SHAPE>")]
        [Description("With --extend: cosine (default) or linear down to the schedule's floor.")]
        public string? Tail { get; init; }

        [CommandOption("--out <DIR>"), OutputPath(OutputKind.Folder),
            Description("Run folder (default: runs/<time>-<recipe>).")]
        public string? Out { get; init; }

        [CommandOption("--seed <SEED>"), Description("Override the recipe's seed.")]
        public long? Seed { get; init; }

        [CommandOption("--set <KEY=VALUE>"), Description("Override a recipe key, e.g. --set optimizer.lr=0.05 " +
            "(repeatable).")]
        public string[] Set { get; init; } = Array.Empty<string>();

        [CommandOption("--resume <RUN>"), Description("Continue a run from its last checkpoint.")]
        public string? Resume { get; init; }

        [CommandOption("--folds <K>"), Description("Stratified K-fold cross-validation: one run per fold in an " +
            "experiment folder.")]
        public int? Folds { get; init; }

        [CommandOption("--force"), Description("Overwrite an existing --out folder.")]
        public bool Force { get; init; }

        [CommandOption("--allow-changes")]
        [Description("With --resume: continue although recipe.yaml was edited since the last checkpoint (the keys " +
            "are recorded).")]
        public bool AllowChanges { get; init; }

        [CommandOption("--plain"), Description("Plain log lines instead of the live display (automatic when output " +
            "is not a terminal).")]
        public bool Plain { get; init; }

        [CommandOption("--stop-on <SEVERITY>"), Description("warning or critical: stop at the end of the epoch where " +
            "a finding this severe is announced (last.ckpt kept, resumable); exit code 5.")]
        public string? StopOn { get; init; }

        public override ValidationResult Validate()
        {
            if (WatchOptions.CheckSeverity(StopOn) is { } error) return ValidationResult.Error(error);
            if (Extend is not null && Resume is null)
                return ValidationResult.Error("--extend N lengthens a trained run: give it with --resume RUN");
            if (Tail is not null && Extend is null)
                return ValidationResult.Error("--tail shapes an --extend: give --extend N too");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        bool live = !s.Plain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (s.Resume != null && ExperimentDirectory.IsExperiment(s.Resume))
        {
            if (s.Extend is not null || s.Epochs is not null)
                throw new RegimenException($"{s.Resume}: an experiment (--folds) resumes with its own epochs; " +
                                           "--extend and --epochs work on one run (a fold's run folder)");
            var saved = CheckedRecipes.Load(Path.Combine(s.Resume, "recipe.yaml"));
            return CrossValidate(saved, s.Resume, s.Data, force: false, live, s.StopOn);
        }
        TrainingOutcome outcome;
        var stop = new StopRequest();
        using var ctrlC = new CtrlC(stop, Console.Error);
        if (s.Resume != null)
        {
            if (s.Recipe != null || s.Set.Length > 0 || s.Seed != null || s.Folds != null)
                throw new RegimenException("--resume continues a run with its own recipe: leave out RECIPE, --set, " +
                                           "--seed and --folds (--extend N trains it longer)");
            var extend = s.Extend is { } n ? new ExtendRequest(n, s.Tail ?? "cosine") : null;
            outcome = WithDisplay(live, s.StopOn, display =>
                TrainingRunner.Resume(s.Resume, s.Data, display, s.Epochs, stop, s.AllowChanges, extend));
        }
        else
        {
            var overrides = new List<string>(s.Set);
            if (s.Epochs is { } epochs) overrides.Add($"epochs={epochs}");
            if (s.Seed is { } seed) overrides.Add($"seed={seed}");
            if (s.Folds is { } folds) overrides.Add($"data.folds={folds}");
            var recipe = CheckedRecipes.Load(s.Recipe ?? BuiltinRecipes.DefaultName, overrides);
            if (recipe.Data.Validation == "test" && recipe.Data.Folds <= 0)
                AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(TrainingSetup.TestSelectionWarning)}");
            if (recipe.Data.Folds > 0)
                return CrossValidate(recipe, s.Out ?? ExperimentDirectory.DefaultPath(recipe.Name), s.Data, s.Force,
                    live, s.StopOn);
            outcome = WithDisplay(live, s.StopOn, display => TrainingRunner.Start(new TrainingRequest
            {
                Recipe = recipe, OutputDirectory = s.Out, DataDirectory = s.Data, Force = s.Force, Callbacks = display,
                Stop = stop,
            }));
        }
        if (outcome.Interruption is { } interruption) return Interrupted(outcome, interruption, s.Data);
        var summary = outcome.Summary;
        AnsiConsole.MarkupLine($"[green]{Markup.Escape(summary.Status)}[/]: validation ({summary.Validation}): " +
            $"best {summary.Monitor} [bold]{summary.BestValue:0.####}[/] at epoch {summary.BestEpoch}, " +
            $"final {summary.FinalValue:0.####}" +
            (summary.FinalValAccuracyTta is { } tta ? $" (TTA {tta:0.####})" : "") + $", {summary.WallSeconds:F0} s");
        if (summary.Test is { } test) AnsiConsole.MarkupLine($"[bold]{Markup.Escape(test.Describe())}[/]");
        foreach (var warning in summary.Warnings ?? [])
            AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        AnsiConsole.MarkupLine($"run: [link]{Markup.Escape(outcome.Run.Path)}[/]");
        return 0;
    }

    /// <summary>Says where the run stopped (Ctrl-C, or a finding at --stop-on's severity) and the exact command that
    /// continues it; exit 130, or 5 for a finding.</summary>
    static int Interrupted(TrainingOutcome outcome, Interruption interruption, string? data)
    {
        var where = interruption.Progress is { } p
            ? $"epoch {interruption.Epoch}, after batch {p.Batch}" : $"before epoch {interruption.Epoch}";
        bool onFinding = interruption.OnFinding;
        AnsiConsole.MarkupLine((onFinding ? $"[yellow]stopped on a finding[/] ({Markup.Escape(interruption.Reason)})"
            : "[yellow]interrupted[/]") +
                               $" at {where}; recovery checkpoint: " +
                                   $"[link]{Markup.Escape(outcome.Run.LastCheckpoint)}[/]");
        ContinueWith(outcome.Run.Path, data);
        return interruption.ExitCode;
    }

    /// <summary>The exact command that continues a run or an experiment.</summary>
    static void ContinueWith(string path, string? data) => Continuation.Print(
        data is null ? ["train", "--resume", path] : ["train", "--resume", path, "--data", Path.GetFullPath(data)]);

    /// <summary>
    /// K-fold cross-validation. Ctrl-C stops the running fold after its current batch (a recovery checkpoint, status
    /// interrupted); finished folds are kept, and the printed command continues with that fold. Exit 130.
    /// </summary>
    static int CrossValidate(Recipe recipe, string path, string? data, bool force, bool live, string? stopOn)
    {
        var stop = new StopRequest();
        using var ctrlC = new CtrlC(stop, Console.Error);
        ExperimentSummary result;
        try
        {
            result = CrossValidation.Run(recipe, path, data, force, fold =>
            {
                AnsiConsole.MarkupLine($"[bold]fold {fold + 1} of {recipe.Data.Folds}[/]");
                return new TrainingCallback[] { new PlainProgress(Console.Out),
                    new LiveAnalysisCallback(new WatchOptions { StopOn = stopOn }, new FindingLinesView(Console.Out)) };
            }, stop);
        }
        catch (RegimenException e) when (e.ExitCode is ExitCodes.Interrupted or ExitCodes.StoppedOnFinding)
        {
            AnsiConsole.MarkupLine((e.ExitCode == ExitCodes.Interrupted ? "[yellow]interrupted[/]: "
                : "[yellow]stopped on a finding[/] in ") + Markup.Escape(e.Message));
            ContinueWith(Path.GetFullPath(path), data);
            return e.ExitCode;
        }
        ExperimentView.Write(AnsiConsole.Console, result);
        AnsiConsole.MarkupLine($"experiment: [link]{Markup.Escape(Path.GetFullPath(path))}[/]");
        return 0;
    }

    /// <summary>
    /// The progress display and the live analysis (findings as they become true, --stop-on), then the findings of the
    /// end.
    /// </summary>
    static TrainingOutcome WithDisplay(bool live, string? stopOn,
        Func<IReadOnlyList<TrainingCallback>, TrainingOutcome> train)
    {
        var options = new WatchOptions { StopOn = stopOn };
        LiveAnalysisCallback? analysis = null;
        var outcome = live
            ? LiveProgress.Run(AnsiConsole.Console, display => train(new TrainingCallback[]
                { display, analysis = new LiveAnalysisCallback(options, new FindingLinesView(AnsiConsole.Console)) }))
            : train(new TrainingCallback[] { new PlainProgress(Console.Out),
                analysis = new LiveAnalysisCallback(options, new FindingLinesView(Console.Out)) });
        if (analysis?.Summary is { } summary)
            foreach (var line in WatchText.Summary(summary, outcome.Summary.Status).Skip(1))
                AnsiConsole.WriteLine(line.TrimStart());
        return outcome;
    }
}
