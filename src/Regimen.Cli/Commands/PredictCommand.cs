using System.ComponentModel;
using Regimen.Analysis;
using Regimen.Sessions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class PredictCommand : Command<PredictCommand.Settings>
{
    public sealed class Settings : OutputSettings
    {
        [CommandArgument(0, "<MODEL>"), Description("A checkpoint, a run folder, or a cross-validation experiment (its folds are averaged).")]
        public string Model { get; init; } = "";

        [CommandArgument(1, "<IMAGES>"), Description("Image files or folders (JPEG, PNG); a folder named like a class gives that label.")]
        public string[] Images { get; init; } = Array.Empty<string>();

        [CommandOption("--out <CSV>"), OutputPath, Description("Where to write the predictions (default preds.csv).")]
        public string Out { get; init; } = "preds.csv";

        [CommandOption("--tta"), Description("Test-time augmentation (the recipe's views, else horizontal flip).")]
        public bool Tta { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var result = Prediction.Predict(s.Model, s.Images, s.Tta);
        AtomicFile.WriteAllText(s.Out, result.ToCsv());
        AnsiConsole.MarkupLine($"{result.Images.Count} images, {result.Models} model(s) → [link]{Markup.Escape(Path.GetFullPath(s.Out))}[/]");
        if (result.Accuracy is { } acc)
            AnsiConsole.MarkupLine($"labelled images: {result.Labels.Count(l => l is not null)}, accuracy [bold]{acc:P2}[/], log loss {result.LogLoss:0.####}");
        return 0;
    }
}
