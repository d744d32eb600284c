using System.Globalization;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Regimen.Runs.Readers;

/// <summary>
/// Reads training logs written by Regimen and by other tools into <see cref="TrainingLog"/>s, detecting the
/// format from the file name and its columns. A file can hold several runs (FFCV's aggregate, an experiment's
/// folds). Malformed or truncated input is a <see cref="RegimenException"/> naming the file and line, never a crash.
/// </summary>
public static class LogReader
{
    public static IReadOnlyList<TrainingLog> Read(string path)
    {
        try
        {
            if (Directory.Exists(path)) return ReadDirectory(path);
            if (!File.Exists(path)) throw new RegimenException($"{path}: no such file or folder");
            var name = Path.GetFileName(path);
            if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return new[] { HuggingFace(path) };
            if (name.Contains("tfevents", StringComparison.Ordinal)) return new[] { TensorBoardReader.Read(path) };
            if (name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) return new[] { JsonLines(path) };
            return ReadCsv(path);
        }
        catch (RegimenException) { throw; }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or IOException or YamlDotNet.Core.YamlException
                                      or InvalidCastException or KeyNotFoundException or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            throw new RegimenException($"{path}: cannot read this log ({e.GetType().Name}: {e.Message})");
        }
    }

    static IReadOnlyList<TrainingLog> ReadDirectory(string path)
    {
        if (ExperimentDirectory.IsExperiment(path))
            return Directory.GetDirectories(path, "fold-*").OrderBy(d => int.Parse(Path.GetFileName(d)[5..], CultureInfo.InvariantCulture))
                .Where(d => File.Exists(Path.Combine(d, "metrics.csv")))
                .Select(d => RegimenRun(d) with { Fold = int.Parse(Path.GetFileName(d)[5..], CultureInfo.InvariantCulture) }).ToList();
        if (File.Exists(Path.Combine(path, "metrics.csv")) && File.Exists(Path.Combine(path, "recipe.yaml"))) return new[] { RegimenRun(path) };
        foreach (var candidate in new[] { "summary.csv", "metrics.csv", "trainer_state.json", "log.txt", "training.log" })
            if (File.Exists(Path.Combine(path, candidate))) return Read(Path.Combine(path, candidate));
        var events = Directory.GetFiles(path, "*tfevents*", SearchOption.AllDirectories);
        if (events.Length > 0) return events.Select(TensorBoardReader.Read).ToList();
        throw new RegimenException($"{path}: no training log found (metrics.csv, summary.csv, trainer_state.json, log.txt, TensorBoard events)");
    }

    static TrainingLog RegimenRun(string dir)
    {
        var run = new RunDirectory(dir);
        var rows = MetricsCsv.Read(run.MetricsFile);
        var recipeText = File.Exists(run.RecipeFile) ? File.ReadAllText(run.RecipeFile) : "";
        var hyper = FlattenYaml(recipeText, run.RecipeFile);
        var summary = RunSummary.Read(run.SummaryFile);
        var log = new TrainingLog
        {
            Name = Path.GetFileName(dir.TrimEnd('/')),
            Source = dir,
            Format = "regimen",
            PlannedEpochs = summary?.EpochsPlanned ?? (hyper.TryGetValue("epochs", out var e) ? int.Parse(e, CultureInfo.InvariantCulture) : null),
            Hyperparameters = hyper,
            Epochs = rows.Select(r => new LogEpoch
            {
                Epoch = r.Epoch, TrainLoss = N(r.TrainLoss), TrainAccuracy = N(r.TrainAccuracy), ValLoss = N(r.ValLoss),
                ValAccuracy = N(r.ValAccuracy), ValTop5 = r.ValTop5, LearningRate = N(r.LearningRate), Resolution = r.Resolution, Phase = r.Phase,
            }).ToList(),
            Events = RunEvent.ReadAll(run.EventsFile).Where(x => x.Kind is not ("start" or "end" or "checkpoint"))
                .Select(x => new LogEvent(x.Epoch, x.Kind, x.Key, x.From, x.To, x.Message)).ToList(),
        };
        log.Notes.Add("train_acc is measured on augmented (and, with MixUp/CutMix, mixed) batches in training mode");
        return log;
    }

    /// <summary>An empty metrics.csv cell reads as NaN: the series was not recorded.</summary>
    static double? N(double value) => double.IsNaN(value) ? null : value;

    static IReadOnlyList<TrainingLog> ReadCsv(string path)
    {
        var t = CsvTable.Read(path);
        bool Has(string c) => t.Column(c) >= 0;
        if (Has("uid") && Has("top_1") && Has("current_lr")) return Ffcv(t);
        if (Has("eval_top1") || (Has("eval_loss") && Has("train_loss") && Has("lr") && !Has("step"))) return new[] { Timm(t) };
        if (Has("step") && Has("epoch") && t.HasEmptyCells()) return new[] { Lightning(t) };
        if (Has("epoch") && (Has("val_accuracy") || Has("val_acc")) && (Has("accuracy") || Has("acc") || Has("loss"))) return new[] { Generic(t, "keras") };
        if (Has("epoch") || Has("step")) return new[] { Generic(t, "csv") };
        throw new RegimenException($"{path}: a CSV without an epoch or step column is not a training log (columns: {string.Join(", ", t.Header.Take(12))})");
    }

    /// <summary>timm's summary.csv (+ args.yaml beside it): eval_top1/top5 are percentages; there is no train accuracy.</summary>
    static TrainingLog Timm(CsvTable t)
    {
        var args = Path.Combine(Path.GetDirectoryName(t.Path) ?? ".", "args.yaml");
        var hyper = File.Exists(args) ? FlattenYaml(File.ReadAllText(args), args) : new Dictionary<string, string>();
        var log = new TrainingLog
        {
            Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(t.Path))) ?? "timm",
            Source = t.Path, Format = "timm", Hyperparameters = hyper,
            PlannedEpochs = hyper.TryGetValue("epochs", out var e) && int.TryParse(e, out var n) ? n : null,
            Epochs = Rows(t, train_loss: "train_loss", train_acc: null, val_loss: "eval_loss", val_acc: "eval_top1", top5: "eval_top5", lr: "lr"),
        };
        log.Notes.Add("timm writes no training accuracy: generalization-gap checks use losses only");
        if (hyper.TryGetValue("model_ema", out var ema) && ema is "true" or "True")
            log.Notes.Add("model_ema is on: timm's eval columns are the EMA model's");
        return Normalize(log);
    }

    /// <summary>Lightning's CSVLogger: sparse rows (step-level and epoch-level metrics on separate rows), hparams.yaml beside.</summary>
    static TrainingLog Lightning(CsvTable t)
    {
        var hparams = Path.Combine(Path.GetDirectoryName(t.Path) ?? ".", "hparams.yaml");
        int epochCol = t.Column("epoch");
        var byEpoch = new SortedDictionary<int, Dictionary<int, double>>();
        foreach (var (line, f) in t.Rows)
        {
            var epoch = t.Number(f, epochCol, line);
            if (epoch is null) continue;
            var values = byEpoch.TryGetValue((int)epoch, out var v) ? v : byEpoch[(int)epoch] = new Dictionary<int, double>();
            for (int c = 0; c < f.Length; c++)
                if (c != epochCol && t.Number(f, c, line) is { } x) values[c] = x; // the epoch's last value of each column
        }
        int Col(params string[] names) => t.Column(names);
        int trainLoss = Col("train_loss_epoch", "train_loss", "loss"), trainAcc = Col("train_acc_epoch", "train_acc", "train_accuracy");
        int valLoss = Col("val_loss", "val_loss_epoch", "valid_loss"), valAcc = Col("val_acc", "val_acc_epoch", "val_accuracy", "valid_acc");
        int lr = Array.FindIndex(t.Header, h => h.StartsWith("lr", StringComparison.OrdinalIgnoreCase));
        double? Get(Dictionary<int, double> v, int c) => c >= 0 && v.TryGetValue(c, out var x) ? x : null;
        var log = new TrainingLog
        {
            Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(t.Path))) ?? "lightning",
            Source = t.Path, Format = "lightning",
            Hyperparameters = File.Exists(hparams) ? FlattenYaml(File.ReadAllText(hparams), hparams) : new(),
            Epochs = byEpoch.Select(kv => new LogEpoch
            {
                Epoch = kv.Key, TrainLoss = Get(kv.Value, trainLoss), TrainAccuracy = Get(kv.Value, trainAcc),
                ValLoss = Get(kv.Value, valLoss), ValAccuracy = Get(kv.Value, valAcc), LearningRate = Get(kv.Value, lr),
            }).ToList(),
        };
        return Normalize(log);
    }

    /// <summary>Keras' CSVLogger, and any CSV with an epoch (or step) column and recognizable metric names.</summary>
    static TrainingLog Generic(CsvTable t, string format)
    {
        var log = new TrainingLog
        {
            Name = Path.GetFileNameWithoutExtension(t.Path), Source = t.Path, Format = format,
            Epochs = Rows(t, train_loss: "train_loss|loss", train_acc: "train_acc|train_accuracy|accuracy|acc",
                val_loss: "val_loss|valid_loss|test_loss|eval_loss", val_acc: "val_acc|val_accuracy|valid_acc|test_acc|eval_acc|eval_accuracy|val_top1",
                top5: "val_top5|val_acc5|test_acc5", lr: "lr|learning_rate"),
        };
        if (t.Column("epoch") < 0) log.Notes.Add("no epoch column: each step row is treated as one epoch");
        return Normalize(log);
    }

    /// <summary>FFCV's aggregate CSV: several runs told apart by uid; each ends with a repeated final-evaluation row.</summary>
    static IReadOnlyList<TrainingLog> Ffcv(CsvTable t)
    {
        int uid = t.Column("uid"), epoch = t.Column("epoch"), top1 = t.Column("top_1"), top5 = t.Column("top_5"),
            loss = t.Column("train_loss"), lr = t.Column("current_lr");
        var logs = new List<TrainingLog>();
        foreach (var group in t.Rows.GroupBy(r => r.Fields[uid]))
        {
            var first = group.First().Fields;
            var hyper = new Dictionary<string, string>();
            for (int c = 0; c < t.Header.Length; c++)
                if (t.Header[c].Contains('.')) hyper[t.Header[c]] = first[c];
            double H(string key) => double.Parse(hyper[key], CultureInfo.InvariantCulture);
            var epochs = new List<LogEpoch>();
            foreach (var (line, f) in group)
            {
                var e = (int)(t.Number(f, epoch, line) ?? -1);
                if (t.Number(f, loss, line) is null && epochs.Any(x => x.Epoch == e)) continue; // the final re-evaluation row
                double? resolution = hyper.ContainsKey("resolution.min_res")
                    ? FfcvResolution(e, H("resolution.start_ramp"), H("resolution.end_ramp"), H("resolution.min_res"), H("resolution.max_res"))
                    : null;
                epochs.Add(new LogEpoch
                {
                    Epoch = e, TrainLoss = t.Number(f, loss, line), ValAccuracy = t.Number(f, top1, line), ValTop5 = t.Number(f, top5, line),
                    LearningRate = t.Number(f, lr, line), Resolution = resolution,
                });
            }
            var log = new TrainingLog
            {
                Name = $"ffcv-{(hyper.TryGetValue("training.epochs", out var n) ? n : "?")}ep-{group.Key[..Math.Min(8, group.Key.Length)]}",
                Source = t.Path, Format = "ffcv", Hyperparameters = hyper, Epochs = epochs,
                PlannedEpochs = hyper.TryGetValue("training.epochs", out var planned) ? int.Parse(planned, CultureInfo.InvariantCulture) : null,
            };
            log.Notes.Add("FFCV logs no training accuracy and no validation loss");
            for (int i = 1; i < epochs.Count; i++)
                if (epochs[i].Resolution != epochs[i - 1].Resolution)
                    log.Events.Add(new LogEvent(epochs[i].Epoch, "schedule", "resolution",
                        epochs[i - 1].Resolution?.ToString(CultureInfo.InvariantCulture), epochs[i].Resolution?.ToString(CultureInfo.InvariantCulture), "progressive resizing ramp"));
            logs.Add(Normalize(log));
        }
        return logs;
    }

    /// <summary>FFCV's get_resolution: linear from min_res to max_res between start_ramp and end_ramp, rounded to a multiple of 32.</summary>
    public static double FfcvResolution(int epoch, double startRamp, double endRamp, double minRes, double maxRes)
    {
        double r = epoch <= startRamp ? minRes : epoch >= endRamp ? maxRes : minRes + (maxRes - minRes) * (epoch - startRamp) / (endRamp - startRamp);
        return Math.Round(r / 32, MidpointRounding.ToEven) * 32;
    }

    /// <summary>Hugging Face Trainer's trainer_state.json: log_history entries with fractional epochs, train and eval entries apart.</summary>
    static TrainingLog HuggingFace(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (!doc.RootElement.TryGetProperty("log_history", out var history) || history.ValueKind != JsonValueKind.Array)
            throw new RegimenException($"{path}: not a Hugging Face trainer_state.json (no log_history list)");
        var byEpoch = new SortedDictionary<int, Dictionary<string, double>>();
        foreach (var entry in history.EnumerateArray())
        {
            if (!entry.TryGetProperty("epoch", out var ep) || ep.ValueKind != JsonValueKind.Number) continue;
            int epoch = Math.Max(0, (int)Math.Ceiling(ep.GetDouble() - 1e-9) - 1);
            var values = byEpoch.TryGetValue(epoch, out var v) ? v : byEpoch[epoch] = new Dictionary<string, double>();
            foreach (var p in entry.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Number) values[p.Name] = p.Value.GetDouble();
        }
        double? Get(Dictionary<string, double> v, params string[] keys) => keys.Select(k => v.TryGetValue(k, out var x) ? x : (double?)null).FirstOrDefault(x => x is not null);
        var log = new TrainingLog
        {
            Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "huggingface",
            Source = path, Format = "huggingface",
            PlannedEpochs = doc.RootElement.TryGetProperty("num_train_epochs", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : null,
            Epochs = byEpoch.Select(kv => new LogEpoch
            {
                Epoch = kv.Key, TrainLoss = Get(kv.Value, "loss", "train_loss"), ValLoss = Get(kv.Value, "eval_loss"),
                ValAccuracy = Get(kv.Value, "eval_accuracy", "eval_acc"), LearningRate = Get(kv.Value, "learning_rate"),
            }).ToList(),
        };
        log.Notes.Add("the Trainer logs no training accuracy; its loss is averaged over logging steps");
        return Normalize(log);
    }

    /// <summary>DeiT/MAE-style log.txt: one JSON object per line (train_loss, test_loss, test_acc1, epoch...).</summary>
    static TrainingLog JsonLines(string path)
    {
        var epochs = new List<LogEpoch>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(text); }
            catch (JsonException e) { throw new RegimenException($"{path}:{line}: not a JSON object ({e.Message})"); }
            using (doc)
            {
                var r = doc.RootElement;
                if (r.ValueKind != JsonValueKind.Object) throw new RegimenException($"{path}:{line}: expected a JSON object per line");
                double? N(params string[] keys) => keys.Select(k => r.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : (double?)null).FirstOrDefault(x => x is not null);
                epochs.Add(new LogEpoch
                {
                    Epoch = (int)(N("epoch") ?? epochs.Count), TrainLoss = N("train_loss"), TrainAccuracy = N("train_acc1", "train_acc"),
                    ValLoss = N("test_loss", "val_loss"), ValAccuracy = N("test_acc1", "val_acc1", "val_acc"), ValTop5 = N("test_acc5", "val_acc5"),
                    LearningRate = N("train_lr", "lr"),
                });
            }
        }
        if (epochs.Count == 0) throw new RegimenException($"{path}: no log lines");
        return Normalize(new TrainingLog { Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "log", Source = path, Format = "jsonl", Epochs = epochs });
    }

    static List<LogEpoch> Rows(CsvTable t, string train_loss, string? train_acc, string val_loss, string val_acc, string top5, string lr)
    {
        double[]? C(string? names) => t.NumberColumn(names is null ? -1 : t.Column(names.Split('|')));
        var epoch = t.NumberColumn(t.Column("epoch", "step"));
        var (tl, ta, vl, va, t5, l) = (C(train_loss), C(train_acc), C(val_loss), C(val_acc), C(top5), C(lr));
        static double? At(double[]? column, int i) => column is null ? null : LogEpoch.Value(column[i]);
        var epochs = new List<LogEpoch>(t.RowCount);
        for (int i = 0; i < t.RowCount; i++)
            epochs.Add(new LogEpoch
            {
                Epoch = (int)(At(epoch, i) ?? i), TrainLoss = At(tl, i), TrainAccuracy = At(ta, i), ValLoss = At(vl, i), ValAccuracy = At(va, i),
                ValTop5 = At(t5, i), LearningRate = At(l, i),
            });
        return epochs;
    }

    /// <summary>Accuracies as fractions: a series that goes above 1 is taken as percentages.</summary>
    static TrainingLog Normalize(TrainingLog log)
    {
        bool percent = log.Epochs.Any(e => e.ValAccuracy > 1.0 || e.TrainAccuracy > 1.0 || e.ValTop5 > 1.0);
        if (!percent) return log;
        for (int i = 0; i < log.Epochs.Count; i++)
        {
            var e = log.Epochs[i];
            log.Epochs[i] = e with { TrainAccuracy = e.TrainAccuracy / 100, ValAccuracy = e.ValAccuracy / 100, ValTop5 = e.ValTop5 / 100 };
        }
        log.Notes.Add("accuracies were logged as percentages");
        return log;
    }

    /// <summary>A YAML mapping flattened to dotted keys (optimizer.lr → 0.1), for configuration diffs.</summary>
    internal static Dictionary<string, string> FlattenYaml(string yaml, string source)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(yaml)) return result;
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlDotNet.Core.YamlException e) { throw new RegimenException($"{source}:{e.Start.Line}: malformed YAML ({e.Message})"); }
        if (stream.Documents.Count == 0) return result;
        void Walk(YamlNode node, string prefix)
        {
            switch (node)
            {
                case YamlMappingNode m:
                    foreach (var (k, v) in m.Children) Walk(v, prefix.Length == 0 ? ((YamlScalarNode)k).Value ?? "" : $"{prefix}.{((YamlScalarNode)k).Value}");
                    break;
                case YamlSequenceNode s:
                    int i = 0;
                    foreach (var item in s.Children) Walk(item, $"{prefix}[{i++}]");
                    if (i == 0) result[prefix] = "[]";
                    break;
                case YamlScalarNode sc:
                    result[prefix] = sc.Value ?? "";
                    break;
            }
        }
        Walk(stream.Documents[0].RootNode, "");
        return result;
    }
}
