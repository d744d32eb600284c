using System.ComponentModel;
using Regimen.Analysis;
using Regimen.Onnx;
using Regimen.Sessions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class PredictCommand : Command<PredictCommand.Settings>
{
    public sealed class Settings : OutputSettings
    {
        [CommandArgument(0, "[MODEL]")]
        [Description("A checkpoint, a run folder, or a cross-validation experiment (its folds are averaged); " +
            "with --onnx, the first image.")]
        public string Model { get; init; } = "";

        [CommandArgument(1, "[IMAGES]")]
        [Description("Image files or folders (JPEG, PNG); a folder named like a class gives that label.")]
        public string[] Images { get; init; } = Array.Empty<string>();

        [CommandOption("--onnx <MODEL.onnx>")]
        [Description("Predict with an ONNX file written by 'regimen export' (ONNX Runtime) instead of a checkpoint.")]
        public string? Onnx { get; init; }

        [CommandOption("--out <CSV>"), OutputPath, Description("Where to write the predictions (default preds.csv).")]
        public string Out { get; init; } = "preds.csv";

        [CommandOption("--tta"), Description("Test-time augmentation (the recipe's views, else horizontal flip).")]
        public bool Tta { get; init; }

        [CommandOption("--strict")]
        [Description("Refuse images whose channels or size differ from the model's (default: convert them, with a " +
            "note).")]
        public bool Strict { get; init; }

        /// <summary>The images: every argument with --onnx, the ones after MODEL without.</summary>
        public IReadOnlyList<string> ImagePaths =>
            Onnx is null || Model == "" ? Images : Images.Prepend(Model).ToArray();

        public override ValidationResult Validate()
        {
            if (Onnx is not null && Tta)
                return ValidationResult.Error("--tta: not with --onnx (the ONNX file holds one view)");
            if (Model == "")
                return ValidationResult.Error(Onnx is null
                    ? "MODEL and IMAGES are missing: predict RUN|CHECKPOINT IMAGES..."
                    : "IMAGES are missing: predict --onnx MODEL.onnx IMAGES...");
            if (Onnx is null && Images.Length == 0)
                return ValidationResult.Error($"IMAGES are missing: predict {Model} IMAGES... (files or folders)");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        PredictionResult result;
        if (s.Onnx is null) result = Prediction.Predict(s.Model, s.ImagePaths, s.Tta, strict: s.Strict);
        else
        {
            using var onnx = OnnxClassifier.Open(s.Onnx);
            result = Prediction.Predict(new[] { onnx }, s.ImagePaths, strict: s.Strict);
        }
        foreach (var note in result.Notes) Console.WriteLine("note: " + note);   // unwrapped: paths in it
        AtomicFile.WriteAllText(s.Out, result.ToCsv());
        AnsiConsole.MarkupLine($"{result.Images.Count} images, {result.Models} model(s) → " +
            $"[link]{Markup.Escape(Path.GetFullPath(s.Out))}[/]");
        if (result.Accuracy is { } acc)
            AnsiConsole.MarkupLine($"labelled images: {result.Labels.Count(l => l is not null)}, accuracy " +
                $"[bold]{acc:P2}[/], log loss {result.LogLoss:0.####}");
        return 0;
    }
}
