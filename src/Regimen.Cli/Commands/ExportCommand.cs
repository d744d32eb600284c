using System.ComponentModel;
using Regimen.Export;
using Regimen.Models;
using Regimen.Onnx;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Sessions;
using Regimen.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public sealed class Settings : OutputSettings
    {
        [CommandArgument(0, "<RUN|CHECKPOINT>"), Description("A run folder (its best checkpoint) or a .ckpt file.")]
        public string Target { get; init; } = "";

        [CommandOption("--format <FORMAT>"), Description("onnx (default), safetensors or pytorch (.pt state dict).")]
        public string Format { get; init; } = "onnx";

        [CommandOption("--out <FILE>"), OutputPath]
        [Description("The file to write (default: the checkpoint's path with the format's extension).")]
        public string? Out { get; init; }
    }

    static readonly Dictionary<string, (ExportFormat Format, string Extension)> Formats = new()
    {
        ["onnx"] = (ExportFormat.Onnx, ".onnx"),
        ["safetensors"] = (ExportFormat.Safetensors, ".safetensors"),
        ["pytorch"] = (ExportFormat.PyTorch, ".pt"),
    };

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var (format, extension) = ParseFormat(s.Format);
        if (Directory.Exists(s.Target) && ExperimentDirectory.IsExperiment(s.Target))
            throw new RegimenException($"{s.Target}: an experiment holds one model per fold; export a fold's run " +
                $"({Path.Combine(s.Target, "fold-1")})");
        var checkpoint = CheckpointEvaluation.ResolveCheckpoint(s.Target);
        var path = s.Out ?? Path.ChangeExtension(checkpoint, extension);
        CheckOut(path, format, extension);
        var (header, model) = Checkpoint.LoadModel(checkpoint);
        using (model)
        {
            var recipe = RecipeLoader.Parse(header.RecipeYaml, $"{checkpoint} (recipe)");
            var manifest = CheckpointManifest.From(header, recipe, checkpoint);
            var size = $"{manifest.InputChannels}x{manifest.Resolution}x{manifest.Resolution}";
            if (format == ExportFormat.Onnx)
            {
                OnnxExport.Write(model, manifest, path);
                AnsiConsole.MarkupLine($"{Markup.Escape(manifest.Model)} ({size}, {manifest.ClassNames.Length} " +
                    $"classes) → [link]{Markup.Escape(Path.GetFullPath(path))}[/] (checked by ONNX Runtime)");
            }
            else
            {
                var written = StateDictExport.Write(model, manifest, path, format);
                var sidecar = Path.GetFullPath(StateDictExport.SidecarPath(path));
                AnsiConsole.MarkupLine($"{Markup.Escape(manifest.Model)} state dict → " +
                    $"[link]{Markup.Escape(Path.GetFullPath(path))}[/], sidecar [link]{Markup.Escape(sidecar)}[/]");
                AnsiConsole.MarkupLine($"PyTorch: {Markup.Escape(written.PyTorch ?? "")}");
            }
        }
        return 0;
    }

    static (ExportFormat, string) ParseFormat(string name)
    {
        var key = name.ToLowerInvariant() is "pt" or "pth" or "torch" ? "pytorch" : name.ToLowerInvariant();
        if (Formats.TryGetValue(key, out var format)) return format;
        var hint = DidYouMean.Closest(key, Formats.Keys);
        throw new RegimenException($"--format: unknown format '{name}'" +
            (hint != null ? $" (did you mean '{hint}'?)" : "") + $"; known: {string.Join(", ", Formats.Keys)}");
    }

    /// <summary>The output is a file, and its extension does not name another format.</summary>
    static void CheckOut(string path, ExportFormat format, string extension)
    {
        if (Directory.Exists(path))
            throw new RegimenException($"--out {path}: is a folder; give a file name such as " +
                Path.Combine(path, "model" + extension));
        var given = Path.GetExtension(path);
        var other = Formats.FirstOrDefault(f => f.Value.Format != format &&
            f.Value.Extension.Equals(given, StringComparison.OrdinalIgnoreCase));
        if (other.Key is not null)
            throw new RegimenException($"--out {path}: {given} is the extension of the {other.Key} format, " +
                $"not of {format.ToString().ToLowerInvariant()} ({extension})");
    }
}
