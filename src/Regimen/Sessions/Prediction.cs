using System.Globalization;
using System.Text;
using Regimen.Augment;
using Regimen.Data;
using Regimen.Export;
using Regimen.Models;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Training;
using static TorchSharp.torch;

namespace Regimen.Sessions;

/// <summary>Class probabilities for image files, and the scores when their labels are known.</summary>
public sealed record PredictionResult(IReadOnlyList<string> Images, IReadOnlyList<string> Classes,
    float[,] Probabilities,
    IReadOnlyList<int?> Labels, int Models, double? Accuracy, double? LogLoss)
{
    /// <summary>
    /// What the user should know: images converted or resized for the model, folders matching no class.
    /// </summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();

    public int Predicted(int i)
    {
        int best = 0;
        for (int c = 1; c < Classes.Count; c++) if (Probabilities[i, c] > Probabilities[i, best]) best = c;
        return best;
    }

    /// <summary>image,predicted,then one probability column per class: the shape of a Kaggle submission.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("image,predicted");
        foreach (var c in Classes) sb.Append(',').Append(Csv(c));
        sb.AppendLine();
        for (int i = 0; i < Images.Count; i++)
        {
            sb.Append(Csv(Images[i])).Append(',').Append(Csv(Classes[Predicted(i)]));
            for (int c = 0; c < Classes.Count; c++)
                sb.Append(',').Append(Probabilities[i, c].ToString("G6", CultureInfo.InvariantCulture));
            sb.AppendLine();
        }
        return sb.ToString();
    }

    static string Csv(string value) => value.Contains(',') || value.Contains('"')
        ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
}

/// <summary>
/// Predicts image files with a checkpoint, a run (its best checkpoint), a cross-validation experiment (the
/// average of its folds' best checkpoints) or any <see cref="IImageClassifier"/> (an exported ONNX file). Folders
/// are searched for JPEG and PNG files; an image inside a folder named like one of the classes (or its
/// <see cref="ImageFolderReader.SafeFolderName"/>: "T-shirt_top" for "T-shirt/top") gets that class as its label,
/// and then accuracy and log loss are given. Each image is checked against the model's input: another channel count
/// (grayscale and RGB) is converted and another size resized, with a note, or refused with <c>strict</c>.
/// </summary>
public static class Prediction
{
    public static PredictionResult Predict(string model, IReadOnlyList<string> inputs, bool tta, int batchSize = 256,
        bool strict = false)
    {
        var checkpoints = Checkpoints(model);
        var images = Expand(inputs);
        var classifiers = new List<IImageClassifier>();
        try
        {
            foreach (var checkpoint in checkpoints) classifiers.Add(CheckpointClassifier.Load(checkpoint, tta));
            return Predict(classifiers, images, batchSize, strict);
        }
        finally
        {
            foreach (var classifier in classifiers) classifier.Dispose();
        }
    }

    /// <summary>The average of the classifiers' probabilities (they must share the classes).</summary>
    public static PredictionResult Predict(IReadOnlyList<IImageClassifier> classifiers, IReadOnlyList<string> inputs,
        int batchSize = 256, bool strict = false)
    {
        var images = Expand(inputs);
        if (images.Count == 0) throw new RegimenException($"no JPEG or PNG images in {string.Join(", ", inputs)}");
        var classes = classifiers[0].Manifest.ClassNames;
        var notes = CheckShapes(images, classifiers[0].Manifest, strict);
        var sum = new float[images.Count, classes.Length];
        foreach (var classifier in classifiers)
        {
            var m = classifier.Manifest;
            if (!m.ClassNames.SequenceEqual(classes))
                throw new RegimenException($"{m.Source}: its classes differ from {classifiers[0].Manifest.Source}'s");
            for (int start = 0; start < images.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(batchSize, images.Count - start);
                var pixels = new byte[n * m.InputChannels * m.ImageSize * m.ImageSize];
                for (int i = 0; i < n; i++)
                {
                    byte[] decoded;
                    try { decoded = ImageFolderReader.Decode(images[start + i], m.ImageSize, m.InputChannels == 1); }
                    catch (Exception e) when (e is IOException or InvalidDataException)
                    {
                        throw new RegimenException($"{images[start + i]}: cannot decode ({e.Message})");
                    }
                    decoded.CopyTo(pixels, i * decoded.Length);
                }
                var shape = new long[] { n, m.InputChannels, m.ImageSize, m.ImageSize };
                var p = classifier.Probabilities(tensor(pixels, shape, ScalarType.Byte));
                for (int i = 0; i < n; i++)
                    for (int c = 0; c < classes.Length; c++)
                        sum[start + i, c] += p[i * classes.Length + c] / classifiers.Count;
            }
        }
        var labels = images.Select(path => LabelOf(path, classes)).ToList();
        notes.AddRange(UnmatchedFolders(images, labels, classes));
        double? accuracy = null, logLoss = null;
        var known = Enumerable.Range(0, images.Count).Where(i => labels[i] is not null).ToList();
        if (known.Count > 0)
        {
            var subset = new float[known.Count, classes.Length];
            for (int k = 0; k < known.Count; k++)
                for (int c = 0; c < classes.Length; c++) subset[k, c] = sum[known[k], c];
            (accuracy, logLoss) = CrossValidation.Score(subset, known.Select(i => (long)labels[i]!.Value).ToArray());
        }
        return new PredictionResult(images, classes, sum, labels, classifiers.Count, accuracy, logLoss)
        {
            Notes = notes,
        };
    }

    static List<string> Checkpoints(string model)
    {
        if (Directory.Exists(model) && ExperimentDirectory.IsExperiment(model))
        {
            var folds = Directory.GetDirectories(model, "fold-*")
                .OrderBy(d => int.Parse(Path.GetFileName(d)[5..], CultureInfo.InvariantCulture)).ToList();
            var list = folds.Select(f => new RunDirectory(f)).Select(r => File.Exists(r.BestCheckpoint)
                ? r.BestCheckpoint : r.LastCheckpoint).Where(File.Exists).ToList();
            if (list.Count == 0) throw new RegimenException($"{model}: the experiment has no trained fold yet");
            return list;
        }
        return new List<string> { CheckpointEvaluation.ResolveCheckpoint(model) };
    }

    static List<string> Expand(IReadOnlyList<string> inputs)
    {
        var images = new List<string>();
        foreach (var input in inputs)
        {
            if (File.Exists(input)) images.Add(input);
            else if (Directory.Exists(input))
                images.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".jpg" or ".jpeg" or ".png")
                        .OrderBy(f => f, StringComparer.Ordinal));
            else throw new RegimenException($"{input}: no such image file or folder");
        }
        return images;
    }

    static int? LabelOf(string path, string[] classes)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(path));
        for (int c = 0; c < classes.Length; c++)
            if (classes[c] == folder || ImageFolderReader.SafeFolderName(classes[c]) == folder) return c;
        return null;
    }

    static string Some(List<string> paths) =>
        string.Join(", ", paths.Take(3)) + (paths.Count > 3 ? $" and {paths.Count - 3} more" : "");

    /// <summary>
    /// Images whose channels or size differ from what the model was trained on: a note per kind of difference
    /// (they are converted as training would: grayscale ↔ RGB, shorter side resized and centre-cropped), or a
    /// refusal with <paramref name="strict"/>.
    /// </summary>
    static List<string> CheckShapes(IReadOnlyList<string> images, ExportManifest m, bool strict)
    {
        // Mismatch ("64x48 RGB") -> what is done about it, and the images.
        var byShape = new Dictionary<string, (string Conversion, List<string> Images)>();
        foreach (var image in images)
        {
            var shape = ImageFolderReader.Inspect(image)
                ?? throw new RegimenException($"{image}: cannot decode (not a JPEG or PNG)");
            bool channels = shape.Channels != m.InputChannels, size = shape.Width != m.ImageSize ||
                shape.Height != m.ImageSize;
            if (!channels && !size) continue;
            var conversion = string.Join(", ", new[]
            {
                channels ? (shape.Grayscale ? "converted to RGB" : "converted to grayscale") : null,
                size ? $"resized to {m.ImageSize}x{m.ImageSize} (shorter side, centre crop)" : null,
            }.OfType<string>());
            var key = shape.ToString();
            if (!byShape.TryGetValue(key, out var entry)) byShape[key] = entry = (conversion, new List<string>());
            entry.Images.Add(image);
        }
        var model =
            $"the model takes {m.ImageSize}x{m.ImageSize} {(m.InputChannels == 1 ? "grayscale" : "RGB")} images";
        if (strict && byShape.Count > 0)
        {
            var (key, entry) = byShape.First();
            throw new RegimenException($"--strict: {entry.Images.Count} image(s) are {key} ({Some(entry.Images)}); " +
                $"{model}");
        }
        return byShape.Select(kv => $"{kv.Value.Images.Count} image(s) are {kv.Key}, {kv.Value.Conversion}: {model} " +
                                    $"({Some(kv.Value.Images)}; --strict refuses them)").ToList();
    }

    /// <summary>Folders of images that got no label although others did, or a hint when none did.</summary>
    static IEnumerable<string> UnmatchedFolders(IReadOnlyList<string> images, List<int?> labels,
        IReadOnlyList<string> classes)
    {
        var unmatched = images.Where((_, i) => labels[i] is null)
            .GroupBy(p => Path.GetDirectoryName(p) ?? ".").Select(g => $"{g.Key} ({g.Count()})").ToList();
        if (unmatched.Count == 0) yield break;
        var names = string.Join(", ", classes.Select(ImageFolderReader.SafeFolderName));
        if (labels.Any(l => l is not null))
            yield return $"{unmatched.Count} folder(s) match no class, their images are not scored: " +
                         $"{Some(unmatched)}; class folders are named: {names}";
        else
            yield return $"no image is in a folder named like a class, so there is no accuracy; class folders are " +
                $"named: {names}";
    }
}
