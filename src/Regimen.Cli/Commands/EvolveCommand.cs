using System.ComponentModel;
using Regimen.Evolve;
using Regimen.Recipes;
using Regimen.Reports;
using Regimen.Sessions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class EvolveCommand : Command<EvolveCommand.Settings>
{
    public sealed class Settings : OutputSettings
    {
        [CommandArgument(0, "[RECIPE]"), Description("The baseline: a recipe file or built-in name (may be left out " +
            "when --workspace exists).")]
        public string? Recipe { get; init; }

        [CommandOption("--workspace <DIR>"), OutputPath(OutputKind.Folder), Description("The evolve workspace " +
            "(default: evolve/<recipe>); started again, the loop continues it.")]
        public string? Workspace { get; init; }

        [CommandOption("--budget <N>"), Description("Child trials to train, the baseline not counted (default 4).")]
        public int? Budget { get; init; }

        [CommandOption("--target <SCORE>"), Description("Stop when the best trial reaches this score (fraction for " +
            "accuracy).")]
        public double? Target { get; init; }

        [CommandOption("--monitor|--metric <NAME>"),
         Description("The metric trials are scored on, any a run records, as the recipe's evaluation.monitor: " +
                     "val_acc (default), val_loss, val_top5, train_loss, val_acc_ema, val_acc_tta... (--metric: its " +
                     "old name).")]
        public string? Monitor { get; init; }

        [CommandOption("--score <WHICH>"), Description("final (default: the last epoch, what the run delivers) or " +
            "best (the best epoch).")]
        public string? Score { get; init; }

        [CommandOption("--folds <K>"), Description("Every trial is a K-fold cross-validation; the fold spread is the " +
            "noise.")]
        public int? Folds { get; init; }

        [CommandOption("--seeds <R>"), Description("Without folds: seeds per trial (default 2); their spread is the " +
            "noise.")]
        public int? Seeds { get; init; }

        [CommandOption("--parallel <P>"), Description("Trial processes at once (default 1).")]
        public int? Parallel { get; init; }

        [CommandOption("--min-gain <X>"), Description("The least gain that promotes, whatever the noise (default 0).")]
        public double? MinGain { get; init; }

        [CommandOption("--data <DIR>"), Description("Folder with the data set's files.")]
        public string? Data { get; init; }

        [CommandOption("--set <KEY=VALUE>"), Description("Override a baseline recipe key (repeatable).")]
        public string[] Set { get; init; } = Array.Empty<string>();

        [CommandOption("--epochs <N>"), Description("Override the baseline's epochs.")]
        public int? Epochs { get; init; }

        [CommandOption("--launcher <NAME>"), Description("process (default: trials as processes on this machine) or " +
            "slurm (a job array per batch, docs/scale-out.md).")]
        public string Launcher { get; init; } = "process";

        [CommandOption("--sbatch <OPTION>"), Description("An #SBATCH line for the slurm launcher, e.g. " +
            "--sbatch=--partition=gpu (repeatable).")]
        public string[] Sbatch { get; init; } = Array.Empty<string>();

        [CommandOption("--slurm-poll <SECONDS>"), Description("How often the slurm launcher asks squeue whether a " +
            "batch has ended (default 10).")]
        public double SlurmPoll { get; init; } = 10;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        Recipe baseline;
        string path;
        EvolveSettings? saved = null;
        if (s.Recipe is null)
        {
            if (s.Workspace is null)
                throw new RegimenException("evolve: give a RECIPE, or --workspace DIR of an existing workspace to " +
                    "continue it");
            if (!Workspace.Exists(s.Workspace))
                throw new RegimenException($"--workspace {s.Workspace}: not an evolve workspace (no evolve.json); " +
                    "give a RECIPE too to start one there");
            if (s.Set.Length > 0 || s.Epochs is not null)
                throw new RegimenException("--set and --epochs change the baseline: give the RECIPE too");
            path = s.Workspace;
            var existing = Workspace.Open(path);
            saved = existing.Settings;
            baseline = existing.LoadRecipe("t000");
        }
        else
        {
            var overrides = new List<string>(s.Set);
            if (s.Epochs is { } epochs) overrides.Add($"epochs={epochs}");
            baseline = CheckedRecipes.Load(s.Recipe, overrides);
            path = s.Workspace ?? Workspace.DefaultPath(baseline.Name);
            if (Workspace.Exists(path)) saved = Workspace.Open(path).Settings;
        }
        var d = saved ?? new EvolveSettings();
        var settings = new EvolveSettings
        {
            Monitor = s.Monitor ?? d.Monitor, Score = s.Score ?? d.Score, Folds = s.Folds ?? d.Folds,
            Seeds = s.Seeds ?? (saved?.Seeds ?? ((s.Folds ?? 0) > 1 ? 1 : 2)), Data = s.Data ?? d.Data,
            Budget = s.Budget ?? d.Budget, Target = s.Target ?? d.Target, Parallel = s.Parallel ?? d.Parallel,
            MinGain = s.MinGain ?? d.MinGain,
        };
        settings.Validate(baseline);
        // Everything is checked before the workspace is created or its settings rewritten.
        ITrialLauncher launcher = s.Launcher switch
        {
            "process" => new ProcessLauncher(RegimenCommand.Current()),
            "slurm" => new SlurmLauncher(RegimenCommand.Current(), s.Sbatch,
                TimeSpan.FromSeconds(Math.Max(0.1, s.SlurmPoll))),
            _ => throw new RegimenException($"--launcher {s.Launcher}: expected process or slurm"),
        };
        if (saved is not null) Workspace.CheckBaseline(path, baseline);
        var workspace = Workspace.Prepare(path, settings);
        if (baseline.Data.Validation == "test" && settings.Folds <= 1)
            AnsiConsole.MarkupLine("[yellow]note:[/] the recipe validates on the test split, so evolve selects " +
                                   "recipes on it and the test score is no longer an unbiased estimate; --set " +
                                   "data.validation=holdout (or --folds K) keeps the test split out of the selection.");
        AnsiConsole.MarkupLine($"evolve workspace: [link]{Markup.Escape(workspace.Path)}[/]");
        // The first Ctrl-C stops the running trials after their current batch (SIGTERM to each), records them as
        // interrupted and ends the loop; the second ends it at once, and the trials with it.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var ctrlC = new CtrlC(stop.Cancel, "stopping the running trials after their current batch with " +
            "recovery checkpoints (press Ctrl-C again to stop at once, losing their epochs in progress)",
            Console.Error);
        LedgerState state;
        try
        {
            state = new EvolveLoop(workspace, settings, launcher, line => AnsiConsole.WriteLine(line))
                .Run(baseline, stop.Token);
        }
        catch (OperationCanceledException)
        {
            return Interrupted(workspace, s, LedgerState.Replay(workspace.Ledger.Read()));
        }
        LineageReport.WriteTable(AnsiConsole.Console, state, settings, workspace.Path);
        if (stop.IsCancellationRequested || state.Trials.Any(t => t.Status == "interrupted"))
            return Interrupted(workspace, s, state);
        return 0;
    }

    /// <summary>Names the interrupted trials and the command that continues the workspace; exit 130.</summary>
    static int Interrupted(Workspace workspace, Settings s, LedgerState state)
    {
        var trials = state.Trials.Where(t => t.Status == "interrupted").Select(t => t.Id).ToList();
        AnsiConsole.MarkupLine("[yellow]interrupted[/]: " + (trials.Count == 0 ? "before the loop's next step" :
            $"{string.Join(", ", trials)} stopped after the current batch (recovery checkpoints kept)") +
            $"; finished trials are kept in the ledger [link]{Markup.Escape(workspace.Ledger.Path)}[/]");
        var arguments = new List<string> { "evolve", "--workspace", workspace.Path };
        // The launcher is not part of the workspace's settings: give it again.
        if (s.Launcher != "process") arguments.AddRange(["--launcher", s.Launcher]);
        foreach (var option in s.Sbatch) arguments.Add($"--sbatch={option}");
        Continuation.Print(arguments);
        return ExitCodes.Interrupted;
    }
}
