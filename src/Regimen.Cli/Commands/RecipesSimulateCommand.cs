using System.ComponentModel;
using Regimen.Recipes;
using Regimen.Sessions;
using Regimen.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class RecipesSimulateCommand : Command<RecipesSimulateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RECIPE>"), Description("A built-in recipe name or a recipe file.")]
        public string Recipe { get; init; } = "";

        [CommandOption("--steps-per-epoch <N>"),
            Description("Batches per epoch, for per-step schedules (default 100).")]
        public int StepsPerEpoch { get; init; } = 100;

        [CommandOption("--all"), Description("Show every epoch, not only the first, the last and those where " +
            "something changes.")]
        public bool All { get; init; }

        [CommandOption("--set <KEY=VALUE>"), Description("Override a recipe key (repeatable).")]
        public string[] Set { get; init; } = Array.Empty<string>();
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.StepsPerEpoch < 1)
            throw new RegimenException($"--steps-per-epoch: must be at least 1, got {s.StepsPerEpoch}");
        var recipe = CheckedRecipes.Load(s.Recipe, s.Set);
        var epochs = ScheduleSimulation.Run(recipe, s.StepsPerEpoch, ScheduleSimulation.NativeResolution(recipe));
        var table = new Table()
            .Title($"{Markup.Escape(recipe.Name)}: {recipe.Epochs} epochs, simulated without training")
            .AddColumns("epoch", "phase", "lr first→last", "res", "aug", "level", "mixup", "cutmix", "smooth", "wd",
                "dropout", "changes");
        foreach (var e in epochs)
        {
            if (!s.All && e.Settings.Epoch != 0 && e.Settings.Epoch != recipe.Epochs - 1 && e.Changes.Count == 0)
                continue;
            var x = e.Settings;
            table.AddRow(x.Epoch.ToString(), Markup.Escape(x.Phase), $"{V(e.LrFirst)}→{V(e.LrLast)}",
                x.Resolution.ToString(), x.Augment ? "on" : "[red]off[/]", x.AugmentLevel,
                x.Augment ? V(x.MixupAlpha) : "-", x.Augment ? V(x.CutmixAlpha) : "-", V(x.LabelSmoothing),
                V(x.WeightDecay), V(x.Dropout),
                Markup.Escape(string.Join("; ", e.Changes.Where(c => c.Key != "phase")
                    .Select(c => $"{c.Key} {c.From}→{c.To}"))));
        }
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>Plain decimals, 6 significant digits: readable, and pasted into a recipe they give the value back.
    /// </summary>
    static string V(double value) => Units.Significant(value, 6);
}
