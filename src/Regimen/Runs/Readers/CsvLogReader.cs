using System.Globalization;

namespace Regimen.Runs.Readers;

/// <summary>
/// Tables of numbers with a header row: comma-separated (Keras CSVLogger, fastai, timm summary.csv, Lightning
/// CSVLogger, Ultralytics YOLO results.csv, FFCV, pandas to_csv, any hand-written CSV) or tab-separated (bearpaw's
/// Logger: "Learning Rate  Train Loss  Valid Loss  Train Acc.  Valid Acc."). The tool is told from the column names.
/// </summary>
internal sealed class CsvLogReader(string name, char separator) : ILogReader
{
    /// <summary>timm's summary.csv records its accuracies in percent.</summary>
    static readonly string[] TimmPercentRoles = { "val_acc", "val_top5" };

    public string Name => name;
    public string LooksFor => separator == ','
        ? "a header row of names and rows of numbers separated by commas"
        : "a header row of names and rows of numbers separated by tabs";

    public double Recognize(LogSample sample)
    {
        if (sample.Binary || sample.Lines.Count < 2) return 0;
        var header = sample.Lines[0].Split(separator);
        if (header.Length < 2 || header.Count(h => h.Trim().Length > 0) < 2) return 0;
        if (header.Count(h => Numeric(h)) > header.Length / 2) return 0;
        int rows = 0, good = 0;
        foreach (var line in sample.Lines.Skip(1).Take(20))
        {
            if (sample.Truncated && ReferenceEquals(line, sample.Lines[^1])) break;
            var fields = line.Split(separator);
            rows++;
            if (fields.Length == header.Length &&
                fields.Count(f => Numeric(f) || f.Trim().Length == 0) * 2 >= fields.Length) good++;
        }
        if (rows == 0 || good * 2 < rows) return 0;
        int known = header.Count(h => !ColumnRoles.Classify(h).IsOther);
        return 0.7 + 0.25 * Math.Min(1.0, known / 2.0);
    }

    static bool Numeric(string field)
    {
        var f = field.Trim().Trim('"');
        return double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || f is "nan"
            or "NaN" or "inf";
    }

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        var t = CsvTable.Read(path, separator);
        bool Has(string c) => t.Column(c) >= 0;
        bool HasPrefix(string p) => t.Header.Any(h => h.Trim().StartsWith(p, StringComparison.OrdinalIgnoreCase));
        if (Has("uid") && Has("top_1") && Has("current_lr") && options.Map.Count == 0) return Ffcv(t);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string folder = Path.GetFileName(dir);
        if (Has("eval_top1") || (Has("eval_loss") && Has("train_loss") && Has("lr") && !Has("step")))
        {
            var args = Path.Combine(dir, "args.yaml");
            var hyper = File.Exists(args) ? LogReader.FlattenYaml(File.ReadAllText(args), args)
                : new Dictionary<string, string>();
            var notes =
                new List<string> { "timm writes no training accuracy: generalization-gap checks use losses only" };
            if (hyper.TryGetValue("model_ema", out var ema) && ema is "true" or "True")
                notes.Add("model_ema is on: timm's eval columns are the EMA model's");
            return LogAssembly.Build(Table(t), new LogDescription
            {
                Name = folder, Source = path, Reader = Name, Format = "timm", Hyperparameters = hyper, Notes = notes,
                PercentRoles = TimmPercentRoles,
                PlannedEpochs = hyper.TryGetValue("epochs", out var e) && int.TryParse(e, out var n) ? n : null,
            }, options);
        }
        if (Has("step") && Has("epoch") && t.HasEmptyCells()) return Lightning(t, dir, options);
        if (WandbRuns(t) is { Count: > 0 } runs) return Wandb(t, path, runs, options);
        string format = Has("uid") ? "csv"
            : HasPrefix("metrics/") || HasPrefix("train/") && HasPrefix("lr/pg") ? "yolo"
            : Has("train_loss") && Has("valid_loss") ? "fastai"
            : separator == '\t' && t.Header.Any(h => h.Trim() == "Valid Acc.") ? "bearpaw"
            : t.Header.Length > 0 &&
                (t.Header[0].Trim().Length == 0 || t.Header[0].StartsWith("Unnamed", StringComparison.Ordinal))
                ? "pandas"
            : Has("epoch") &&
                (Has("val_loss") || t.Header.Any(h => h.Trim().StartsWith("val_", StringComparison.Ordinal))) &&
                Has("loss") ? "keras"
            : "csv";
        var description = new LogDescription
        {
            Name = Path.GetFileNameWithoutExtension(path), Source = path, Reader = Name, Format = format,
            Hints = new RoleHints { UnphasedMetricsAreValidation = format == "fastai" },
            Notes = format switch
            {
                "fastai" =>
                    new[] { "fastai's metric columns (accuracy, error_rate) are measured on the validation set" },
                "yolo" =>
                    new[] { "Ultralytics writes metrics/ columns on the validation set; lr/pg0 is the first " +
                    "parameter group's rate" },
                _ => Array.Empty<string>(),
            },
        };
        if (format == "yolo") description = description with { Name = folder };
        return LogAssembly.Build(Table(t), description, options);
    }

    /// <summary>
    /// A Weights &amp; Biases chart's CSV export ("Step", then "RUN - METRIC" with its "RUN - METRIC__MIN" and
    /// "__MAX" bounds of the chart's smoothing): each run's metric columns by run; empty when the table is not one.
    /// </summary>
    static Dictionary<string, List<(int Column, string Metric)>> WandbRuns(CsvTable t)
    {
        var runs = new Dictionary<string, List<(int, string)>>();
        int step = -1;
        for (int c = 0; c < t.Header.Length; c++)
        {
            var h = t.Header[c].Trim();
            if (h is "Step" or "step" && step < 0) { step = c; continue; }
            int dash = h.LastIndexOf(" - ", StringComparison.Ordinal);
            if (dash <= 0) return new();
            if (h.EndsWith("__MIN", StringComparison.Ordinal) || h.EndsWith("__MAX", StringComparison.Ordinal))
                continue;
            var run = h[..dash];
            (runs.TryGetValue(run, out var list) ? list : runs[run] = new()).Add((c, h[(dash + 3)..]));
        }
        return step < 0 ? new() : runs;
    }

    List<TrainingLog> Wandb(CsvTable t, string path, Dictionary<string, List<(int Column, string Metric)>> runs,
        ReadOptions options)
    {
        int step = Array.FindIndex(t.Header, h => h.Trim() is "Step" or "step");
        return runs.SelectMany(run =>
        {
            var columns = run.Value.Prepend((step, "step")).ToList();
            var table = new SeriesTable
            {
                Source = path, Names = columns.Select(c => c.Item2).ToList(), Rows = t.RowCount,
                Values = (c, strict) => t.NumberColumn(columns[c].Item1, strict),
            };
            return LogAssembly.Build(table, new LogDescription
            {
                Name = runs.Count == 1 ? run.Key : $"{Path.GetFileNameWithoutExtension(path)}: {run.Key}",
                Source = path, Reader = Name, Format = "wandb",
                Notes = new[] { $"a Weights & Biases chart export: run {run.Key} ({string.Join(", ",
                    run.Value.Select(c => c.Metric))}; the __MIN/__MAX bounds left out)" },
            }, options);
        }).ToList();
    }

    internal static SeriesTable Table(CsvTable t) => new()
    {
        Source = t.Path, Names = t.Header, Rows = t.RowCount,
        Values = (c, strict) => t.NumberColumn(c, strict), Text = t.TextColumn,
    };

    /// <summary>
    /// Lightning's CSVLogger: sparse rows (step-level and epoch-level metrics on separate rows), hparams.yaml beside.
    /// </summary>
    List<TrainingLog> Lightning(CsvTable t, string dir, ReadOptions options)
    {
        var hparams = Path.Combine(dir, "hparams.yaml");
        int epochCol = t.Column("epoch");
        var byEpoch = new SortedDictionary<int,
            Dictionary<string, (double First, double Last, double Sum, int Count)>>();
        var numeric = Enumerable.Range(0, t.Header.Length).Select(c => t.NumberColumn(c, strict: false) is not null)
            .ToArray();
        void Add(Dictionary<string, (double First, double Last, double Sum, int Count)> values, int line,
            string[] f)
        {
            for (int c = 0; c < f.Length; c++)
            {
                if (c == epochCol || !numeric[c] || t.Number(f, c, line) is not { } x) continue;
                var name = t.Header[c].Trim();
                values[name] = values.TryGetValue(name, out var a) ? (a.First, x, a.Sum + x, a.Count + 1)
                    : (x, x, x, 1);
            }
        }
        // LearningRateMonitor's rows (lr-AdamW) carry a step and no epoch: they belong to the epoch logged next.
        var pending = new List<(int Line, string[] Fields)>();
        foreach (var (line, f) in t.Rows)
        {
            var epoch = t.Number(f, epochCol, line);
            if (epoch is null)
            {
                pending.Add((line, f));
                continue;
            }
            var values = byEpoch.TryGetValue((int)epoch, out var v) ? v : byEpoch[(int)epoch] = new();
            foreach (var (l, p) in pending) Add(values, l, p);
            pending.Clear();
            Add(values, line, f);
        }
        if (byEpoch.Count > 0) foreach (var (l, p) in pending) Add(byEpoch.Last().Value, l, p);
        // A metric logged at several steps of an epoch (train_loss every 50 steps) stands for the epoch by its mean,
        // as Lightning's own on_epoch aggregation does: its last step alone is one noisy batch. A learning rate is
        // the epoch's first; validation and test metrics, logged once at the epoch's end, keep their last value.
        var notes = new List<string> { "Lightning's rows merged per epoch (step-logged metrics averaged, learning " +
                                        "rate the epoch's first, validation and test metrics the epoch's last)" };
        // trainer.validate() or trainer.test() after fit logs at epoch max_epochs: validation with no training
        // before it. It is no epoch of the run (on the training set, or another split, it would read as a jump).
        while (byEpoch.Count > 1 && !Trained(byEpoch.Last().Value) && byEpoch.Values.Any(Trained))
        {
            notes.Add($"epoch {byEpoch.Last().Key} logs evaluation without training (a trainer.validate or test " +
                      "after fit): not an epoch of the run, left out");
            byEpoch.Remove(byEpoch.Last().Key);
        }
        var rows = byEpoch.Select(e =>
        {
            var row = e.Value.ToDictionary(kv => kv.Key, kv => Aggregate(kv.Key, kv.Value));
            row["epoch"] = e.Key;
            return row;
        }).ToList();
        var table = SeriesTable.FromRows(t.Path, rows);
        return LogAssembly.Build(table, new LogDescription
        {
            Name = Path.GetFileName(dir), Source = t.Path, Reader = Name, Format = "lightning",
            Hyperparameters = File.Exists(hparams) ? LogReader.FlattenYaml(File.ReadAllText(hparams), hparams) : new(),
            Notes = notes,
        }, options);
    }

    /// <summary>Whether an epoch's rows log a training metric: a series other than step, learning rate, validation
    /// and test.</summary>
    static bool Trained(Dictionary<string, (double First, double Last, double Sum, int Count)> epoch) =>
        epoch.Keys.Any(k => k.ToLowerInvariant() is var n && n != "step"
            && !n.StartsWith("lr", StringComparison.Ordinal) && !n.Contains("learning_rate", StringComparison.Ordinal)
            && !n.StartsWith("val", StringComparison.Ordinal) && !n.StartsWith("test", StringComparison.Ordinal));

    static double Aggregate(string name, (double First, double Last, double Sum, int Count) a)
    {
        var n = name.ToLowerInvariant();
        if (n.StartsWith("lr", StringComparison.Ordinal) || n.Contains("learning_rate", StringComparison.Ordinal))
            return a.First;
        if (n.StartsWith("val", StringComparison.Ordinal) || n.StartsWith("test", StringComparison.Ordinal))
            return a.Last;
        return a.Sum / a.Count;
    }

    /// <summary>
    /// FFCV's aggregate CSV: several runs told apart by uid; each ends with a repeated final-evaluation row.
    /// </summary>
    List<TrainingLog> Ffcv(CsvTable t)
    {
        int uid = t.Column("uid"), epoch = t.Column("epoch"), top1 = t.Column("top_1"), top5 = t.Column("top_5"),
            loss = t.Column("train_loss"), lr = t.Column("current_lr");
        var columns = new List<ColumnMapping>
        {
            new("epoch", "epoch"), new("train_loss", "train_loss"), new("val_acc", "top_1"), new("lr", "current_lr"),
        };
        if (top5 >= 0) columns.Add(new("val_top5", "top_5"));
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
                // the final re-evaluation row
                if (t.Number(f, loss, line) is null && epochs.Any(x => x.Epoch == e)) continue;
                double? resolution = hyper.ContainsKey("resolution.min_res")
                    ? LogReader.FfcvResolution(e, H("resolution.start_ramp"), H("resolution.end_ramp"),
                        H("resolution.min_res"), H("resolution.max_res"))
                    : null;
                epochs.Add(new LogEpoch
                {
                    Epoch = e, TrainLoss = t.Number(f, loss, line), ValAccuracy = t.Number(f, top1, line),
                    ValTop5 = t.Number(f, top5, line),
                    LearningRate = t.Number(f, lr, line), Resolution = resolution,
                });
            }
            var log = new TrainingLog
            {
                Name = $"ffcv-{(hyper.TryGetValue("training.epochs", out var n) ? n : "?")}ep-" +
                       group.Key[..Math.Min(8, group.Key.Length)],
                Source = t.Path, Format = "ffcv", Reader = Name, Hyperparameters = hyper, Epochs = epochs,
                Columns = columns,
                NotFound = new() { "train_acc", "val_loss", "epoch_time" },
                PlannedEpochs = hyper.TryGetValue("training.epochs", out var planned)
                    ? int.Parse(planned, CultureInfo.InvariantCulture) : null,
            };
            log.Notes.Add("FFCV logs no training accuracy and no validation loss");
            for (int i = 1; i < epochs.Count; i++)
                if (epochs[i].Resolution != epochs[i - 1].Resolution)
                    log.Events.Add(new LogEvent(epochs[i].Epoch, "schedule", "resolution",
                        epochs[i - 1].Resolution?.ToString(CultureInfo.InvariantCulture),
                            epochs[i].Resolution?.ToString(CultureInfo.InvariantCulture), "progressive resizing ramp"));
            logs.Add(LogReader.Normalize(log));
        }
        return logs;
    }
}
