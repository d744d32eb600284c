using System.ComponentModel;
using Regimen.Recipes;
using Regimen.Reports;
using Regimen.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[RECIPE]"), Description("A recipe file or built-in recipe name (default: fashion-mnist).")]
        public string? Recipe { get; init; }

        [CommandOption("--data <DIR>"), Description("Folder with the data set's files (default: where its package installs them).")]
        public string? Data { get; init; }

        [CommandOption("--epochs <N>"), Description("Override the recipe's epochs.")]
        public int? Epochs { get; init; }

        [CommandOption("--out <DIR>"), Description("Run folder (default: runs/<time>-<recipe>).")]
        public string? Out { get; init; }

        [CommandOption("--seed <SEED>"), Description("Override the recipe's seed.")]
        public long? Seed { get; init; }

        [CommandOption("--set <KEY=VALUE>"), Description("Override a recipe key, e.g. --set optimizer.lr=0.05 (repeatable).")]
        public string[] Set { get; init; } = Array.Empty<string>();

        [CommandOption("--resume <RUN>"), Description("Continue a run from its last checkpoint.")]
        public string? Resume { get; init; }

        [CommandOption("--force"), Description("Overwrite an existing --out folder.")]
        public bool Force { get; init; }

        [CommandOption("--plain"), Description("Plain log lines instead of the live display (automatic when output is not a terminal).")]
        public bool Plain { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        bool live = !s.Plain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        TrainingOutcome outcome;
        if (s.Resume != null)
        {
            if (s.Recipe != null || s.Set.Length > 0 || s.Seed != null)
                throw new RegimenException("--resume continues a run with its own recipe: leave out RECIPE, --set and --seed (only --epochs may extend it)");
            outcome = WithDisplay(live, display => TrainingRunner.Resume(s.Resume, s.Data, display, s.Epochs));
        }
        else
        {
            var overrides = new List<string>(s.Set);
            if (s.Epochs is { } epochs) overrides.Add($"epochs={epochs}");
            if (s.Seed is { } seed) overrides.Add($"seed={seed}");
            var recipe = RecipeLoader.Load(s.Recipe ?? BuiltinRecipes.DefaultName, overrides);
            outcome = WithDisplay(live, display => TrainingRunner.Start(new TrainingRequest
            {
                Recipe = recipe, OutputDirectory = s.Out, DataDirectory = s.Data, Force = s.Force, Callbacks = display,
            }));
        }
        var summary = outcome.Summary;
        AnsiConsole.MarkupLine($"[green]{Markup.Escape(summary.Status)}[/]: best {summary.Monitor} [bold]{summary.BestValue:0.####}[/] at epoch {summary.BestEpoch}, " +
                               $"final {summary.FinalValue:0.####}" + (summary.FinalValAccuracyTta is { } tta ? $" (flip TTA {tta:0.####})" : "") +
                               $", {summary.WallSeconds:F0} s");
        AnsiConsole.MarkupLine($"run: [link]{Markup.Escape(outcome.Run.Path)}[/]");
        return 0;
    }

    static TrainingOutcome WithDisplay(bool live, Func<IReadOnlyList<TrainingCallback>, TrainingOutcome> train) =>
        live
            ? LiveProgress.Run(AnsiConsole.Console, display => train(new TrainingCallback[] { display }))
            : train(new TrainingCallback[] { new PlainProgress(Console.Out) });
}
