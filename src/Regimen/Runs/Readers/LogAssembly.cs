using System.Globalization;

namespace Regimen.Runs.Readers;

/// <summary>
/// A log's series as columns of numbers, one row per epoch (or per logged row), before roles are known.
/// </summary>
internal sealed class SeriesTable
{
    public required string Source { get; init; }
    public required IReadOnlyList<string> Names { get; init; }
    public required int Rows { get; init; }
    /// <summary>A column's values (<see cref="LogEpoch.Missing"/> where a row has none). Strict: a cell that is not a
    /// number is an error naming its line; otherwise a column that is not numeric gives null.</summary>
    public required Func<int, bool, double[]?> Values { get; init; }
    /// <summary>A column's cells as text, where the table has text (fastai's "00:12" epoch times).</summary>
    public Func<int, string[]>? Text { get; init; }

    /// <summary>
    /// A table from rows of name → value (JSON rows, aggregated epochs), columns in first-seen order.
    /// </summary>
    public static SeriesTable FromRows(string source, IReadOnlyList<IReadOnlyDictionary<string, double>> rows)
    {
        var names = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
            foreach (var key in row.Keys)
                if (index.TryAdd(key, names.Count)) names.Add(key);
        return new SeriesTable
        {
            Source = source, Names = names, Rows = rows.Count,
            Values = (c, _) =>
            {
                var values = new double[rows.Count];
                for (int i = 0; i < rows.Count; i++) values[i] = rows[i].TryGetValue(names[c], out var v) ? v
                    : LogEpoch.Missing;
                return values;
            },
        };
    }
}

/// <summary>What a reader knows about the log besides its series.</summary>
internal sealed record LogDescription
{
    public required string Name { get; init; }
    public required string Source { get; init; }
    public required string Reader { get; init; }
    public required string Format { get; init; }
    public RoleHints Hints { get; init; } = new();
    /// <summary>
    /// Roles the tool writes in percent whatever their values (timm's eval_top1 at 0.5 % is still percent).
    /// </summary>
    public IReadOnlyCollection<string> PercentRoles { get; init; } = Array.Empty<string>();
    public Dictionary<string, string> Hyperparameters { get; init; } = new();
    public int? PlannedEpochs { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
    /// <summary>Whether the series called train_acc was printed with no phase (a text log's "Accuracy"): the loss
    /// beside it may show it held out (<see cref="HeldOutAccuracy"/>).</summary>
    public bool UnphasedTrainAccuracy { get; init; }
    /// <summary>The validation and training sizes the log states, if it does.</summary>
    public int? ValidationSize { get; init; }
    public int? TrainSize { get; init; }
    /// <summary>
    /// Where the epoch numbers come from when the table has no epoch column (text logs: the printed numbers).
    /// </summary>
    public double[]? Epochs { get; init; }
    /// <summary>
    /// Segment of each row (text logs: a counter that started again), else found from the epoch numbers.
    /// </summary>
    public int[]? Segments { get; init; }
    /// <summary>Schedule changes the log states (a stage that starts, a rate a callback reduced), each at the row of
    /// the epoch it starts at, given to the run that holds that row after its first.</summary>
    public IReadOnlyList<(int Row, LogEvent Event)> Events { get; init; } = Array.Empty<(int, LogEvent)>();
}

/// <summary>
/// Turns a table of series into <see cref="TrainingLog"/>s the same way for every reader: roles by
/// <see cref="ColumnRoles"/>, percentages told from fractions per series, an epoch counter that starts again as a new
/// run, an epoch logged again (a resumed run) replacing what followed it, and every other numeric series kept.
/// </summary>
internal static class LogAssembly
{
    static readonly string[] AccuracyRoles = { "train_acc", "val_acc", "val_top5" };

    public static List<TrainingLog> Build(SeriesTable table, LogDescription d, ReadOptions options)
    {
        var heads = ColumnRoles.Heads(table.Names, d.Hints, options.Map);
        if (heads.Count == 0) return BuildOne(table, d, options);
        // A model with several outputs (Keras' val_pred_gender_acc, val_pred_age_acc) and no plain accuracy: each head
        // is judged as a run of its own, on its own accuracy and loss.
        var names = string.Join(", ", heads.Select(h => h.Name));
        return heads.SelectMany(head =>
        {
            var map = new Dictionary<string, string>(options.Map);
            foreach (var (role, column) in head.Roles) map.TryAdd(role, column);
            var one = d with
            {
                Name = heads.Count == 1 ? d.Name : $"{d.Name}: head {head.Name}",
                Notes = d.Notes.Append(heads.Count == 1
                    ? $"the accuracies are the model output {head.Name}'s (its name is in theirs)"
                    : $"a model with {heads.Count} outputs ({names}), each judged as a run of its own: this is " +
                      $"{head.Name}, on its own accuracy and loss").ToList(),
            };
            return BuildOne(table, one, options with { Map = map }).Select(log =>
            {
                for (int i = 0; i < log.Columns.Count; i++)
                    if (head.Roles.ContainsKey(log.Columns[i].Role) && !options.Map.ContainsKey(log.Columns[i].Role))
                        log.Columns[i] = log.Columns[i] with
                        {
                            Note = log.Columns[i].Note == "--map"
                            ? $"output {head.Name}" : log.Columns[i].Note?.Replace("--map", $"output {head.Name}")
                        };
                return log;
            });
        }).ToList();
    }

    static List<TrainingLog> BuildOne(SeriesTable table, LogDescription d, ReadOptions options)
    {
        var map = ColumnRoles.Resolve(table.Names, d.Hints, options.Map, table.Source);
        var notes = d.Notes.ToList();
        var (epochs, epochNote) = EpochNumbers(table, map, d);
        if (epochNote is not null) notes.Add(epochNote);
        var segments = Segments(epochs, d.Segments);

        var mappings = new List<ColumnMapping>();
        double[]? Role(string role)
        {
            if (!map.Roles.TryGetValue(role, out var r)) return null;
            var values = role == "epoch_time" ? Durations(table, r.Column) : table.Values(r.Column, true)!;
            var mapping = r.Mapping;
            if (role == "epoch_time" && Cumulative(values))
            {
                // Ultralytics' "time" is the time since the start: each epoch's is the difference.
                for (int i = values.Length - 1; i > 0; i--) values[i] -= values[i - 1];
                mapping = mapping with { Note = Join(mapping.Note, "cumulative: differences taken") };
            }
            if (AccuracyRoles.Contains(role))
            {
                bool percent = d.PercentRoles.Contains(role) || Max(values) > 1.0;
                if (percent) { Scale(values, 0.01); mapping = mapping with { Note = Join(mapping.Note, "percent") }; }
                if (r.Mapping.Complement)
                    for (int i = 0; i < values.Length; i++)
                        if (!LogEpoch.IsMissing(values[i])) values[i] = 1 - values[i];
            }
            mappings.Add(mapping);
            return values;
        }
        var (tl, ta, vl, va, t5, lr, time) =
            (Role("train_loss"), Role("train_acc"), Role("val_loss"), Role("val_acc"), Role("val_top5"), Role("lr"),
                Role("epoch_time"));
        var notFound = ColumnRoles.Roles.Where(r => r is not ("epoch" or "step") && !map.Roles.ContainsKey(r)).ToList();
        // An accuracy with no phase that the training loss beside it rules out as a training accuracy is held out.
        if (va is null && ta is not null && tl is not null && !options.Map.ContainsKey("train_acc") &&
            !options.Map.ContainsKey("val_acc") && (d.UnphasedTrainAccuracy ||
                map.Roles["train_acc"].Mapping.Note?.StartsWith(ColumnRoles.NoPhase, StringComparison.Ordinal) == true)
            && HeldOutAccuracy.Reason(tl, ta) is { } heldOut)
        {
            (va, ta) = (ta, null);
            int at = mappings.FindIndex(m => m.Role == "train_acc");
            var note = mappings[at].Note?.Replace("percent", "").Trim(',', ' ') is { Length: > 0 } kept
                && !kept.StartsWith(ColumnRoles.NoPhase, StringComparison.Ordinal) ? kept : null;
            mappings[at] = mappings[at] with
            {
                Role = "val_acc",
                Note = Join(Join(note ?? "", heldOut).TrimStart(',', ' '),
                    mappings[at].Note?.Contains("percent") == true ? "percent" : "").TrimEnd(',', ' '),
            };
            notFound = notFound.Select(r => r == "val_acc" ? "train_acc" : r).ToList();
            notes.Add("an accuracy printed with no phase word is read as held out, not as the training accuracy " +
                "(the mapping says why); --map train_acc=COLUMN reads it as training");
        }
        if (map.Roles.TryGetValue("epoch", out var ep)) mappings.Insert(0, ep.Mapping);
        else if (map.Roles.TryGetValue("step", out var st) && epochNote is not null && epochNote.Contains("step"))
            mappings.Insert(0, st.Mapping);
        if (tl is null && ta is null && vl is null && va is null && t5 is null && options.Map.Count == 0)
            throw new RegimenException($"{table.Source}: no column is a loss or an accuracy (columns: " +
                $"{string.Join(", ", table.Names.Take(20))}); --map ROLE=COLUMN names them (roles: " +
                    $"{string.Join(", ", ColumnRoles.Roles)})");

        var others = new List<(string Name, double[] Values)>();
        foreach (var c in map.Others)
        {
            if (table.Names[c].StartsWith("Unnamed", StringComparison.Ordinal)) continue;
            var values = table.Values(c, false);
            if (values is null) continue;
            var name = table.Names[c].Trim();
            if (ColumnRoles.Words(name).Any(w => w is "acc" or "accuracy" or "f1" or "precision" or "recall" or "auc"
                or "iou" or "map")
                && Max(values) is > 1.0 and <= 100.0)
            {
                Scale(values, 0.01);
                notes.Add($"{name} was logged in percent");
            }
            others.Add((name, values));
        }
        if (mappings.Any(m => m.Note?.Contains("percent") == true))
            notes.Add("accuracies were logged as percentages");

        var stages = new List<(int Row, LogEvent Event)>();
        (segments, epochs) = Continued(segments, epochs, tl, ta, notes, stages);
        d = d with { Events = d.Events.Concat(stages).ToList() };

        var logs = new List<TrainingLog>();
        for (int s = 0; s < segments.Count; s++)
        {
            var rows = segments[s];
            static double? At(double[]? column, int i) => column is null ? null : LogEpoch.Value(column[i]);
            var list = new List<LogEpoch>(rows.Count);
            foreach (int i in rows)
                list.Add(new LogEpoch
                {
                    Epoch = (int)epochs[i], TrainLoss = At(tl, i), TrainAccuracy = At(ta, i), ValLoss = At(vl, i),
                    ValAccuracy = At(va, i), ValTop5 = At(t5, i), LearningRate = At(lr, i), EpochSeconds = At(time, i),
                });
            var otherSeries = new Dictionary<string, List<(int, double)>>();
            foreach (var (name, values) in others)
            {
                var points = new List<(int, double)>();
                foreach (int i in rows)
                    if (!LogEpoch.IsMissing(values[i]) && double.IsFinite(values[i]))
                        points.Add(((int)epochs[i], values[i]));
                if (points.Count > 0) otherSeries[name] = points;
            }
            var log = new TrainingLog
            {
                Name = segments.Count > 1 ? $"{d.Name}#{s + 1}" : d.Name, Source = d.Source, Format = d.Format,
                Reader = d.Reader,
                Hyperparameters = d.Hyperparameters, PlannedEpochs = d.PlannedEpochs, Epochs = list,
                Columns = mappings, NotFound = notFound, OtherSeries = otherSeries,
                Classes = ClassCount(d.Hyperparameters),
                ValidationSize = d.ValidationSize, TrainSize = d.TrainSize,
            };
            log.Notes.AddRange(notes);
            log.Events.AddRange(d.Events.Where(e => rows.IndexOf(e.Row) > 0).Select(e => e.Event with
            {
                Epoch = (int)epochs[e.Row],
            }));
            if (segments.Count > 1)
                log.Notes.Add($"the epoch counter starts again: run {s + 1} of {segments.Count} in this file");
            logs.Add(log);
        }
        return logs;
    }

    /// <summary>
    /// Runs whose epoch counter starts again while the training metrics go on from where the run before stopped (a
    /// second fit of the same model, a fine-tuning stage after an unfreeze): one training, its parts numbered on from
    /// the last epoch, each new part a schedule change (stage) whose jump is judged as such. A new model starts near
    /// where the run before started and stays a run of its own. Continued: for each training series (loss,
    /// accuracy) that moved over the run before, its first value after the restart is at least 3 times nearer to that
    /// run's last value than to its first.
    /// </summary>
    static (List<List<int>> Segments, double[] Epochs) Continued(List<List<int>> segments, double[] epochs,
        double[]? tl, double[]? ta, List<string> notes, List<(int Row, LogEvent Event)> stages)
    {
        if (segments.Count < 2) return (segments, epochs);
        var merged = new List<List<int>> { new(segments[0]) };
        var numbers = (double[])epochs.Clone();
        int part = 1;
        for (int s = 1; s < segments.Count; s++)
        {
            var before = merged[^1];
            var after = segments[s];
            if (!Continues(before, after, tl, ta))
            {
                merged.Add(new List<int>(after));
                part = 1;
                continue;
            }
            double shift = numbers[before[^1]] + 1 - epochs[after[0]];
            foreach (int i in after) numbers[i] = epochs[i] + shift;
            stages.Add((after[0], new LogEvent((int)numbers[after[0]], "schedule", "stage",
                part.ToString(CultureInfo.InvariantCulture), (part + 1).ToString(CultureInfo.InvariantCulture),
                "the epoch counter starts again while the training metrics go on: a new fit or stage of the same " +
                "model")));
            part++;
            before.AddRange(after);
        }
        if (stages.Count > 0)
            notes.Add("the epoch counter starts again while the training metrics go on from where they stopped: " +
                $"one training in parts, numbered on (a new part at epoch{(stages.Count > 1 ? "s" : "")} " +
                $"{string.Join(", ", stages.Select(x => x.Event.Epoch))}, each a schedule change)");
        return (merged, numbers);
    }

    static bool Continues(List<int> before, List<int> after, double[]? tl, double[]? ta)
    {
        if (before.Count < 2) return false;
        int informative = 0;
        foreach (var series in new[] { tl, ta })
        {
            if (series is null) continue;
            double first = series[before[0]], last = series[before[^1]], next = series[after[0]];
            if (LogEpoch.IsMissing(first) || LogEpoch.IsMissing(last) || LogEpoch.IsMissing(next) ||
                !double.IsFinite(first + last + next)) continue;
            // It moved over the run before: a tenth of its first value (a loss), or 3 points (an accuracy).
            if (Math.Abs(last - first) < (series == tl ? 0.1 * Math.Abs(first) : 0.03)) continue;
            if (3 * Math.Abs(next - last) >= Math.Abs(next - first)) return false;
            informative++;
        }
        return informative > 0;
    }

    /// <summary>Whether a time column only grows, row after row (at least 4 rows, no gaps): a running total.</summary>
    static bool Cumulative(double[] values)
    {
        if (values.Length < 4) return false;
        for (int i = 1; i < values.Length; i++)
            if (LogEpoch.IsMissing(values[i]) || LogEpoch.IsMissing(values[i - 1]) || !(values[i] > values[i - 1]))
                return false;
        return values[^1] > 2.5 * (values[^1] - values[^2]);
    }

    static string Join(string? a, string b) => a is null ? b : $"{a}, {b}";

    static double Max(double[] values)
    {
        double max = double.NegativeInfinity;
        foreach (var v in values) if (!LogEpoch.IsMissing(v) && double.IsFinite(v) && v > max) max = v;
        return max;
    }

    static void Scale(double[] values, double factor)
    {
        for (int i = 0; i < values.Length; i++) if (!LogEpoch.IsMissing(values[i])) values[i] *= factor;
    }

    /// <summary>The epoch of each row: the epoch column, else the printed numbers, else the step column, else a
    /// pandas index, else rows in order from 1.</summary>
    static (double[] Epochs, string? Note) EpochNumbers(SeriesTable table, RoleMap map, LogDescription d)
    {
        int epoch = map.Column("epoch");
        if (epoch >= 0)
        {
            var values = table.Values(epoch, true)!;
            if (EvaluationPoints(values) is { } points)
                return (points, $"the epoch column counts fractions of an epoch: {values.Length} evaluations " +
                    $"within {Math.Ceiling(values[^1])} epochs, too few to judge the curves by, so each evaluation " +
                    $"is one point, numbered 1..{values.Length} in order");
            double previous = 0;
            for (int i = 0; i < values.Length; i++)
                if (LogEpoch.IsMissing(values[i]) || !double.IsFinite(values[i])) values[i] = previous;
                else previous = values[i] = Math.Floor(values[i]);
            return (values, null);
        }
        if (d.Epochs is not null) return (d.Epochs, null);
        int step = map.Column("step");
        if (step >= 0) return (table.Values(step, true)!, "no epoch column: each step row is treated as one epoch");
        int index = Enumerable.Range(0, table.Names.Count).FirstOrDefault(c => table.Names[c].Trim().Length == 0 ||
            table.Names[c].Trim().StartsWith("Unnamed", StringComparison.Ordinal), -1);
        if (index >= 0 && table.Values(index, false) is { } idx && idx.Select((v, i) => v == i).All(x => x))
            return (idx.Select(v => v + 1).ToArray(), "no epoch column: the unnamed index column counts the epochs " +
                "(from 1)");
        return (Enumerable.Range(1, table.Rows).Select(i => (double)i).ToArray(),
            "no epoch column: rows are epochs 1..N in order");
    }

    /// <summary>
    /// An epoch column of fractions that grow row after row (the Hugging Face Trainer's "Epoch 0.1881" in a model
    /// card, an evaluation every N steps) over fewer than 6 epochs, with at least 6 rows and 2 per epoch: the rows
    /// numbered 1..N, else null.
    /// </summary>
    static double[]? EvaluationPoints(double[] values)
    {
        if (values.Length < 6 || values.Any(v => LogEpoch.IsMissing(v) || !double.IsFinite(v))) return null;
        if (!values.Any(v => v != Math.Floor(v))) return null;
        for (int i = 1; i < values.Length; i++) if (!(values[i] > values[i - 1])) return null;
        double epochs = Math.Ceiling(values[^1]);
        if (epochs >= 6 || values.Length < 2 * epochs) return null;
        return Enumerable.Range(1, values.Length).Select(i => (double)i).ToArray();
    }

    /// <summary>Rows per run: a new run where the epoch counter goes back to (or below) where the run began (or
    /// repeats the first epoch of a run of one epoch, and goes on); an epoch logged again inside a run (a resumed
    /// training) replaces it and what followed it.</summary>
    static List<List<int>> Segments(double[] epochs, int[]? given)
    {
        var segments = new List<List<int>> { new(epochs.Length) };
        double first = epochs.Length > 0 ? epochs[0] : 0;
        for (int i = 0; i < epochs.Length; i++)
        {
            var current = segments[^1];
            bool restart = given is not null
                ? i > 0 && given[i] != given[i - 1]
                : current.Count > 0 && epochs[i] <= first && (epochs[i] < epochs[current[^1]] ||
                    // A run of one epoch, then that epoch again (YOLO's results.csv of 1..10, 1, 1..10): a training
                    // of its own that was started again, not one epoch logged twice.
                    current.Count == 1 && epochs[i] == epochs[current[0]] && i + 1 < epochs.Length &&
                    epochs[i + 1] > epochs[i]);
            if (restart) { segments.Add(current = new List<int>()); first = epochs[i]; }
            if (current.Count > 0 && epochs[i] <= epochs[current[^1]])
            {
                int keep = current.Count;
                while (keep > 0 && epochs[current[keep - 1]] >= epochs[i]) keep--;
                current.RemoveRange(keep, current.Count - keep);
            }
            current.Add(i);
        }
        return segments.Where(s => s.Count > 0).ToList();
    }

    /// <summary>An epoch-time column: seconds, or fastai's "mm:ss" / "h:mm:ss".</summary>
    static double[] Durations(SeriesTable table, int column)
    {
        if (table.Values(column, false) is { } numbers) return numbers;
        if (table.Text is null) return Enumerable.Repeat(LogEpoch.Missing, table.Rows).ToArray();
        return table.Text(column).Select(c => ParseDuration(c) ?? LogEpoch.Missing).ToArray();
    }

    public static double? ParseDuration(string text)
    {
        var parts = text.Trim().Split(':');
        if (parts.Length is < 2 or > 3)
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : null;
        double total = 0;
        foreach (var p in parts)
        {
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return null;
            total = total * 60 + v;
        }
        return total;
    }

    static int? ClassCount(Dictionary<string, string> hyper)
    {
        foreach (var (key, value) in hyper)
        {
            var last = key[(key.LastIndexOf('.') + 1)..];
            if (last is "num_classes" or "nb_classes" or "n_classes" or "num_labels" or "classes" &&
                int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 1)
                return n;
        }
        return null;
    }
}
