using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Regimen.Runs.Readers;

/// <summary>Hugging Face Trainer's trainer_state.json, under any name: log_history entries with fractional epochs,
/// training and evaluation entries apart. Epochs are numbered as the Trainer counts them (the entries up to epoch
/// 1.0 are epoch 1); every eval_* metric is kept.</summary>
internal sealed class HuggingFaceReader : ILogReader
{
    static readonly string[] TrainerNotes =
    {
        "the Trainer logs no training accuracy; its loss is averaged over logging steps (the epoch's mean is shown)",
    };

    public string Name => "huggingface";
    public string LooksFor => "a JSON object with a \"log_history\" list (trainer_state.json)";

    public double Recognize(LogSample sample) =>
        !sample.Binary && sample.Text.TrimStart().StartsWith('{') && sample.Text.Contains("\"log_history\"",
            StringComparison.Ordinal) ? 0.95 : 0;

    /// <summary>The file as one JSON document; malformed JSON is an error naming the line.</summary>
    internal static JsonDocument Parse(string path, string what)
    {
        try { return JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e)
        {
            throw new RegimenException($"{path}:{(e.LineNumber ?? 0) + 1}: not {what} (malformed JSON: {e.Message})");
        }
    }

    static readonly HashSet<string> NotSeries = new() { "epoch", "step", "total_flos" };

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        using var doc = Parse(path, "a Hugging Face trainer_state.json");
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("log_history",
            out var history) ||
            history.ValueKind != JsonValueKind.Array)
            throw new RegimenException($"{path}: not a Hugging Face trainer_state.json (no log_history list)");
        var byEpoch = new SortedDictionary<int,
            Dictionary<string, (double Sum, int Count, double First, double Last)>>();
        foreach (var entry in history.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object) continue;
            if (!entry.TryGetProperty("epoch", out var ep) || ep.ValueKind != JsonValueKind.Number) continue;
            // the closing summary: train_loss over the whole run
            if (entry.TryGetProperty("train_runtime", out _)) continue;
            int epoch = Math.Max(1, (int)Math.Ceiling(ep.GetDouble() - 1e-9));
            var values = byEpoch.TryGetValue(epoch, out var v) ? v : byEpoch[epoch] = new();
            foreach (var p in entry.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Number && !NotSeries.Contains(p.Name))
                {
                    double x = p.Value.GetDouble();
                    values[p.Name] = values.TryGetValue(p.Name, out var a) ? (a.Sum + x, a.Count + 1, a.First, x)
                        : (x, 1, x, x);
                }
        }
        // Training entries are averages over logging steps: their mean is the epoch's; the rate is the epoch's first.
        var rows = byEpoch.Select(kv =>
        {
            var row = new Dictionary<string, double> { ["epoch"] = kv.Key };
            foreach (var (key, a) in kv.Value)
                row[key] = key == "learning_rate" ? a.First : key.StartsWith("eval_", StringComparison.Ordinal) ? a.Last
                    : a.Sum / a.Count;
            return (IReadOnlyDictionary<string, double>)row;
        }).ToList();
        if (rows.Count == 0) throw new RegimenException($"{path}: log_history has no entry with an epoch");
        var hyper = new Dictionary<string, string>();
        foreach (var p in doc.RootElement.EnumerateObject())
            if (p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True
                or JsonValueKind.False)
                hyper[p.Name] = p.Value.ToString();
        var root = doc.RootElement;
        return LogAssembly.Build(SeriesTable.FromRows(path, rows), new LogDescription
        {
            Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "huggingface",
            Source = path, Reader = Name, Format = "huggingface", Hyperparameters = hyper,
            Hints = new RoleHints { RowsAreEpochs = false },
            PlannedEpochs = root.TryGetProperty("num_train_epochs", out var n) && n.ValueKind == JsonValueKind.Number
                ? (int)Math.Ceiling(n.GetDouble()) : null,
            Notes = TrainerNotes,
        }, options);
    }
}

/// <summary>A JSON object of lists, one value per epoch: json.dump(history.history) after Keras' fit, or any
/// history.json written by hand.</summary>
internal sealed class JsonHistoryReader : ILogReader
{
    public string Name => "json-history";
    public string LooksFor => "a JSON object with lists of numbers among its values (Keras' history.history)";

    /// <summary>The head read as JSON up to its first property's value: whether it begins with an object that has
    /// one (<paramref name="reader"/> is then on that value's first token).</summary>
    internal static bool FirstValue(LogSample sample, out Utf8JsonReader reader)
    {
        reader = new Utf8JsonReader(sample.Head.AsSpan(sample.Head.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0),
            isFinalBlock: false, default);
        return !sample.Binary && reader.Read() && reader.TokenType == JsonTokenType.StartObject && reader.Read() &&
            reader.TokenType == JsonTokenType.PropertyName && reader.Read();
    }

    /// <summary>Properties of the head looked at for a list of numbers: the script's metadata may come first
    /// (a timestamp, the backbone's name, the class names).</summary>
    const int PropertiesLooked = 64;

    public double Recognize(LogSample sample)
    {
        try
        {
            if (!FirstValue(sample, out var reader)) return 0;
            for (int p = 0; p < PropertiesLooked; p++)
            {
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    var probe = reader;
                    if (!probe.Read()) return 0;
                    if (probe.TokenType is JsonTokenType.Number or JsonTokenType.Null)
                        return p == 0 ? 0.9 : 0.8;
                    // An empty list first: as Keras writes it for a metric never computed.
                    if (probe.TokenType == JsonTokenType.EndArray && p == 0) return 0.9;
                }
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject && !reader.TrySkip())
                    return 0;
                if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.Read()) return 0;
            }
            return 0;
        }
        catch (JsonException) { return 0; }
    }

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        using var doc = HuggingFaceReader.Parse(path, "a JSON object of lists");
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new RegimenException($"{path}: expected a JSON object of lists");
        var lists = new List<(string Name, double[] Values)>();
        var texts = new List<(string Name, string[] Values)>();
        var hyper = new Dictionary<string, string>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True
                or JsonValueKind.False)
                hyper[p.Name] = p.Value.ToString();
            if (p.Value.ValueKind != JsonValueKind.Array) continue;
            if (Numbers(p.Value) is { } values) lists.Add((p.Name, values));
            else if (p.Value.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String))
                texts.Add((p.Name, p.Value.EnumerateArray().Select(i => i.GetString()!).ToArray()));
        }
        if (lists.Count == 0) throw new RegimenException($"{path}: no list of numbers in the JSON object");
        int rows = lists.Max(c => c.Values.Length);
        // Lists far shorter than the epochs are the script's metadata (phase starts, milestones), not series.
        var columns = lists.Where(c => !Metadata(c.Values.Length, rows)).ToList();
        var notes = new List<string>();
        var metadata = lists.Where(c => Metadata(c.Values.Length, rows)).Select(c => c.Name).ToList();
        if (metadata.Count > 0)
            notes.Add($"lists far shorter than the {rows} epochs are not series: {string.Join(", ", metadata)}");
        foreach (var (name, classes) in texts)
            if (ColumnRoles.Words(name).Any(w => w is "classes" or "class" or "labels") && classes.Length > 1 &&
                !ColumnRoles.Words(name).Any(w => w is "phase" or "stage"))
                hyper.TryAdd("classes", classes.Length.ToString(CultureInfo.InvariantCulture));
        var events = StageEvents(lists, texts, rows, notes);
        var table = new SeriesTable
        {
            Source = path, Names = columns.Select(c => c.Name).ToList(), Rows = rows,
            Values = (c, _) => Enumerable.Range(0, rows).Select(i => i < columns[c].Values.Length ? columns[c].Values[i]
                : LogEpoch.Missing).ToArray(),
        };
        return LogAssembly.Build(table, new LogDescription
        {
            Name = Path.GetFileNameWithoutExtension(path), Source = path, Reader = Name,
            Format = columns.Any(c => c.Name.StartsWith("val_", StringComparison.Ordinal)) &&
                columns.Any(c => c.Name == "loss") ? "keras" : "json",
            Hyperparameters = hyper, Notes = notes, Events = events,
        }, options);
    }

    static double[]? Numbers(JsonElement list)
    {
        var values = new List<double>();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Number) values.Add(item.GetDouble());
            else if (item.ValueKind == JsonValueKind.Null) values.Add(LogEpoch.Missing);
            else if (item.ValueKind == JsonValueKind.String &&
                JsonLinesReader.Special(item.GetString()) is { } special) values.Add(special);
            else return null;
        }
        return values.ToArray();
    }

    /// <summary>A list of at most a third of the epochs' length, in a log of 6 epochs or more.</summary>
    static bool Metadata(int length, int rows) => rows >= 6 && length * 3 <= rows;

    /// <summary>
    /// A short list named for the starts of phases or stages ("phase_starts", "stage_epochs": increasing whole
    /// numbers within the epochs, 0-based where one is 0) marks where each stage of a training begins (an unfreeze,
    /// a new learning rate): a schedule event at each start after the first, named by a list of as many strings
    /// that names the stages ("phase_labels").
    /// </summary>
    static List<(int Row, LogEvent Event)> StageEvents(List<(string Name, double[] Values)> lists,
        List<(string Name, string[] Values)> texts, int rows, List<string> notes)
    {
        static bool Stage(string name) => ColumnRoles.Words(name).Any(w => w is "phase" or "phases" or "stage"
            or "stages");
        var events = new List<(int Row, LogEvent Event)>();
        foreach (var (name, starts) in lists)
        {
            if (!Stage(name) || !Metadata(starts.Length, rows) ||
                !ColumnRoles.Words(name).Any(w => w is "start" or "starts" or "epoch" or "epochs" or "begin")) continue;
            if (starts.Any(s => s != Math.Floor(s) || s < 0 || s > rows) ||
                starts.Zip(starts.Skip(1)).Any(p => p.Second <= p.First)) continue;
            int offset = starts.Contains(0) ? 1 : 0;
            var labels = texts.FirstOrDefault(t => Stage(t.Name) && t.Values.Length == starts.Length).Values;
            string Label(int i) => labels?[i] ?? $"stage {i + 1}";
            for (int i = 1; i < starts.Length; i++)
                events.Add(((int)starts[i] + offset - 1, new LogEvent((int)starts[i] + offset, "schedule", "stage",
                    Label(i - 1), Label(i), $"{name}: stage {i + 1} starts")));
            if (events.Count > 0)
                notes.Add($"{name} marks where each stage starts: epochs {string.Join(", ", events.Select(e =>
                    e.Event.Epoch))}" + (offset == 1 ? " (0-based in the file)" : ""));
            break;
        }
        return events;
    }
}

/// <summary>
/// One JSON object per line, whatever the file is called: DeiT/MAE log.txt (train_loss, test_acc1), MMClassification
/// *.log.json (mode train/val rows with epoch and iter), MMPretrain/mmengine vis_data/scalars.json (training rows
/// with epoch, iter and step; validation rows that carry the epoch as step only), any other JSON-lines log.
/// Training rows within an epoch are averaged; the learning rate is the epoch's first.
/// </summary>
internal sealed class JsonLinesReader : ILogReader
{
    /// <summary>mmcv, mmengine and DeiT log their accuracies in percent.</summary>
    static readonly string[] PercentRoles = { "train_acc", "val_acc", "val_top5" };

    public string Name => "json-lines";
    public string LooksFor => "one JSON object per line (DeiT log.txt, mmcv *.log.json, mmengine scalars.json)";

    public double Recognize(LogSample sample)
    {
        if (sample.Binary || sample.Lines.Count == 0) return 0;
        int objects = 0, lines = 0;
        foreach (var line in sample.Lines.Take(5))
        {
            if (sample.Truncated && ReferenceEquals(line, sample.Lines[^1])) break;
            lines++;
            var t = line.Trim();
            if (!t.StartsWith('{') || !t.EndsWith('}')) return 0;
            try
            {
                using var doc = ParseLine(t);
                if (doc.RootElement.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Array)) return 0.3;
                objects++;
            }
            catch (JsonException) { return 0; }
        }
        return objects == 0 ? 0 : objects == 1 ? 0.8 : 0.9;
    }

    /// <summary>
    /// One line as JSON; Python's json.dumps writes NaN, Infinity and -Infinity as bare tokens (DeiT's train_grad_norm
    /// under an AMP overflow), which JSON does not allow: a line that fails is read again with them quoted.
    /// </summary>
    static JsonDocument ParseLine(string line)
    {
        try { return JsonDocument.Parse(line); }
        catch (JsonException) when (QuoteBareSpecials(line) is { } quoted) { return JsonDocument.Parse(quoted); }
    }

    static readonly string[] BareSpecials = { "-Infinity", "Infinity", "NaN" };

    /// <summary>The line with bare NaN/Infinity/-Infinity outside strings quoted, or null when it has none.</summary>
    internal static string? QuoteBareSpecials(string line)
    {
        var sb = new StringBuilder(line.Length + 16);
        bool inString = false, changed = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < line.Length) sb.Append(line[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            var token = BareSpecials.FirstOrDefault(t => string.CompareOrdinal(line, i, t, 0, t.Length) == 0);
            if (token is not null)
            {
                sb.Append('"').Append(token).Append('"');
                i += token.Length - 1;
                changed = true;
                continue;
            }
            sb.Append(c);
        }
        return changed ? sb.ToString() : null;
    }

    internal static double? Special(string? text) =>
        text is "nan" or "NaN" ? double.NaN : text is "inf" or "Infinity" ? double.PositiveInfinity : text is "-inf"
            or "-Infinity" ? double.NegativeInfinity : null;

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        var raw = new List<(int Line, Dictionary<string, double> Values, string? Mode)>();
        int line = 0;
        foreach (var text in File.ReadLines(path, Encoding.UTF8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument doc;
            try { doc = ParseLine(text); }
            catch (JsonException e) { throw new RegimenException($"{path}:{line}: not a JSON object ({e.Message})"); }
            using (doc)
            {
                var r = doc.RootElement;
                if (r.ValueKind != JsonValueKind.Object)
                    throw new RegimenException($"{path}:{line}: expected a JSON object per line");
                // W&B's wandb-summary.json: the last values of a run, one object with its own "_wandb" entry.
                if (line == 1 && r.TryGetProperty("_wandb", out _))
                    throw new RegimenException($"{path}: a Weights & Biases run summary (wandb-summary.json): the " +
                        "final values only, no history; analyze the run's history (wandb-history.jsonl, or " +
                        "run.history() saved as CSV) or its console output (files/output.log)");
                var values = new Dictionary<string, double>();
                string? mode = null;
                foreach (var p in r.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Number) values[p.Name] = p.Value.GetDouble();
                    else if (p.Value.ValueKind == JsonValueKind.String && p.Name == "mode") mode = p.Value.GetString();
                    else if (p.Value.ValueKind == JsonValueKind.String && Special(p.Value.GetString()) is { } special)
                        values[p.Name] = special;
                }
                // mmcv's first line (env_info, config, seed) and other rows without a metric are not epochs.
                if (values.Keys.All(k => k is "seed" or "epoch" or "iter" or "step" or "time" or "data_time"
                    or "memory")) continue;
                raw.Add((line, values, mode));
            }
        }
        if (raw.Count == 0) throw new RegimenException($"{path}: no log lines with numbers");
        bool anyEpoch = raw.Any(r => r.Values.ContainsKey("epoch"));
        bool anyMode = raw.Any(r => r.Mode is not null);
        string format = anyMode ? "mmcv"
            : raw.Any(r => r.Values.ContainsKey("iter")) && raw.Any(r => r.Values.ContainsKey("step")) ? "mmengine"
            : raw.Any(r => r.Values.Keys.Any(k => k.StartsWith("test_", StringComparison.Ordinal))) ? "deit" : "jsonl";
        string? unit = anyEpoch ? "epoch" : raw.Any(r => r.Values.ContainsKey("step")) ? "step"
            : raw.Any(r => r.Values.ContainsKey("iter")) ? "iter" : null;

        // Rows of one epoch and phase, in order of the epochs as they appear.
        var epochs =
            new List<(double Epoch, Dictionary<string, (double Sum, int Count, double First, double Last)> Values)>();
        var at = new Dictionary<double, int>();
        foreach (var (_, values, mode) in raw)
        {
            double epoch;
            var phase = mode is null ? Phase.None : ColumnRoles.Classify(mode).Phase is var p && p != Phase.None ? p
                : Phase.Train;
            if (unit is null) epoch = epochs.Count + 1;
            else if (values.TryGetValue(unit, out var e)) epoch = e;
            // mmengine's validation rows
            else if (unit == "epoch" && values.TryGetValue("step", out var s)) { epoch = s; phase = Phase.Val; }
            else continue;
            if (!at.TryGetValue(epoch, out int index))
            {
                // An epoch counter that starts again is a new run: a fresh slot, not a merge into the old one.
                if (epochs.Count > 0 && epoch < epochs[^1].Epoch) at.Clear();
                at[epoch] = index = epochs.Count;
                epochs.Add((epoch, new()));
            }
            var slot = epochs[index].Values;
            foreach (var (key, x) in values)
            {
                if (key is "epoch" or "iter" or "step" or "seed") continue;
                string name = phase != Phase.None && ColumnRoles.Classify(key).Phase == Phase.None
                    ? $"{key} [{(phase == Phase.Val ? "val" : "train")}]" : key;
                slot[name] = slot.TryGetValue(name, out var a) ? (a.Sum + x, a.Count + 1, a.First, x) : (x, 1, x, x);
            }
        }
        var rows = epochs.Select(e =>
        {
            var row = new Dictionary<string, double>();
            foreach (var (key, a) in e.Values)
            {
                var parsed = ColumnRoles.Classify(key);
                row[key] = parsed.Quantity == "lr" ? a.First : parsed.Phase == Phase.Val ? a.Last : a.Sum / a.Count;
            }
            return (IReadOnlyDictionary<string, double>)row;
        }).ToList();
        var table = SeriesTable.FromRows(path, rows);
        var notes = new List<string>();
        if (unit is "step" or "iter") notes.Add($"no epoch numbers: each logged {unit} is treated as one epoch");
        if (anyMode || format == "mmengine")
            notes.Add("training rows are averaged per epoch; validation rows give the epoch's result");
        return LogAssembly.Build(table, new LogDescription
        {
            Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "log", Source = path,
            Reader = Name, Format = format,
            Epochs = epochs.Select(e => Math.Floor(e.Epoch)).ToArray(), Hints = new RoleHints { RowsAreEpochs = false },
            PercentRoles = format is "mmcv" or "mmengine" or "deit" ? PercentRoles : Array.Empty<string>(),
            Notes = notes,
        }, options);
    }
}
