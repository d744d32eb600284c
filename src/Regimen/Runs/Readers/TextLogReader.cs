using System.Buffers;

namespace Regimen.Runs.Readers;

/// <summary>
/// Console output saved to a file (or pasted in Markdown): Keras' fit, the torchvision and PyTorch tutorials' prints,
/// timm's train.py, Lightning's progress bars, PaddlePaddle, mmcv's text log, any loop that prints "epoch" and
/// "key: value". <see cref="TextLogParser"/> does the reading; this reads the file through it line by line.
/// </summary>
internal sealed class TextLogReader : ILineLogReader
{
    public string Name => "text";
    public string LooksFor => "console output: lines with an epoch number and 'key: value' or 'key=value' pairs";

    public double Recognize(LogSample sample)
    {
        if (sample.Binary) return 0;
        bool fenced = sample.Lines.Any(l => IsFence(l));
        var (parser, epochs) = Parse(sample, fenced);
        if (fenced && !epochs.Any(HasMetric)) (parser, epochs) = Parse(sample, fencedOnly: false);
        if (!epochs.Any(HasMetric)) return 0;
        if (parser.MarkerLines == 0) return 0.2;
        return epochs.Count >= 2 ? 0.5 : 0.35;
    }

    static (TextLogParser, List<TextEpoch>) Parse(LogSample sample, bool fencedOnly) =>
        Parse(sample.Truncated ? sample.Lines.Take(sample.Lines.Count - 1).ToList() : sample.Lines, fencedOnly);

    static (TextLogParser, List<TextEpoch>) Parse(IReadOnlyList<string> lines, bool fencedOnly)
    {
        var parser = new TextLogParser { FencedOnly = fencedOnly };
        var epochs = new List<TextEpoch>();
        foreach (var line in lines) parser.Feed(line, epochs);
        parser.Complete(epochs);
        return (parser, epochs);
    }

    static bool HasMetric(TextEpoch e) => e.Values.Keys.Any(k => ColumnRoles.Classify(k).Quantity is "loss" or "acc"
        or "top5" or "error");

    /// <summary>
    /// A Markdown code fence: where a file has them, only the fenced lines are the log, unless they hold no epoch
    /// (a notebook exported to Markdown fences its code cells and indents their output).
    /// </summary>
    static bool IsFence(ReadOnlySpan<char> line) =>
        line.TrimStart().StartsWith("```", StringComparison.Ordinal) || line.TrimStart()
            .StartsWith("~~~", StringComparison.Ordinal);

    /// <summary>Whether the whole file, read as a text log, has an epoch with a loss or an accuracy.</summary>
    internal static bool HasEpochs(string path)
    {
        bool fenced = HasFence(path);
        var (_, epochs) = Parse(path, fenced);
        if (fenced && !epochs.Any(HasMetric)) (_, epochs) = Parse(path, fencedOnly: false);
        return epochs.Any(HasMetric);
    }

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        bool fenced = HasFence(path);
        var (parser, epochs) = Parse(path, fenced);
        bool unfenced = fenced && !epochs.Any(HasMetric);
        if (unfenced) (parser, epochs) = Parse(path, fencedOnly: false);
        return Build(path, parser, epochs, unfenced, options, null);
    }

    public IReadOnlyList<TrainingLog> ReadLines(string path, IReadOnlyList<string> lines, ReadOptions options,
        Func<int, string>? place = null)
    {
        bool fenced = lines.Any(l => IsFence(l));
        var (parser, epochs) = Parse(lines, fenced);
        bool unfenced = fenced && !epochs.Any(HasMetric);
        if (unfenced) (parser, epochs) = Parse(lines, fencedOnly: false);
        return Build(path, parser, epochs, unfenced, options, place);
    }

    List<TrainingLog> Build(string path, TextLogParser parser, List<TextEpoch> epochs, bool unfenced,
        ReadOptions options, Func<int, string>? place)
    {
        if (options.Map.Count == 0 && !epochs.Any(HasMetric))
            throw new RegimenException($"{path}: no epoch with a loss or an accuracy found in this text log (looked " +
                "for lines with an epoch number such as 'Epoch 3/50' or 'epoch: 3' and 'key: value' pairs such as " +
                "'loss: 0.41'); --format names another reader");
        var evaluations = parser.Evaluations;
        if (epochs.Count < FewEpochs && evaluations.Count >= FewEpochs && evaluations.Count >= 2 * epochs.Count &&
            options.Map.Count == 0)
            return BuildEvaluations(path, parser, epochs.Count, options, place);
        var rows = epochs.Select(e => e.Values).ToList();
        var notes =
            new List<string> { $"read from console output: {epochs.Count} epochs on " + (place is null
                ? $"lines {epochs[0].FirstLine}-{epochs[^1].LastLine}"
                : $"{place(epochs[0].FirstLine)} to {place(epochs[^1].LastLine)}") };
        if (unfenced) notes.Add("the Markdown code fences hold no epoch: read the lines outside them too");
        // An accuracy with no phase, printed every few epochs only, in a log with no validation series: it is the
        // evaluation's ("Epoch 10 loss 12.4 | Acc 9.32% | infer 4.4s"), not the training accuracy.
        int losses = rows.Count(r => r.ContainsKey("train_loss")),
            accuracies = rows.Count(r => r.ContainsKey("train_acc"));
        if (parser.Unphased.Contains("train_acc") &&
            !rows.Any(r => r.Keys.Any(k => k.StartsWith("val_", StringComparison.Ordinal) ||
            k.StartsWith("test_", StringComparison.Ordinal))) &&
            accuracies > 0 && accuracies < 0.6 * losses && options.Map.Count == 0)
        {
            rows = rows.Select(r => (IReadOnlyDictionary<string, double>)r.ToDictionary(kv => kv.Key == "train_acc"
                ? "val_acc" : kv.Key, kv => kv.Value)).ToList();
            parser.RenameKey("train_acc", "val_acc");
            notes.Add($"an accuracy with no phase, logged on {accuracies} of {losses} epochs: read as the validation " +
                $"accuracy");
        }
        var events = new List<(int Row, LogEvent Event)>();
        bool announcedRates = parser.Rates.Count > 0 && !rows.Any(r => r.ContainsKey("lr"));
        if (announcedRates)
        {
            rows = WithAnnouncedRates(epochs, rows, parser.Rates, events);
            notes.Add("the learning rate is the one the callbacks' messages announced (\"setting/reducing learning " +
                "rate to ...\"), carried forward to the epochs after each");
        }
        var table = SeriesTable.FromRows(path, rows);
        // --map names a key as the report shows it ("val_acc ← Accuracy"): the series it was read into.
        if (options.Map.Count > 0)
            options = options with
            {
                Map = options.Map.ToDictionary(kv => kv.Key, kv => parser.Keys.FirstOrDefault(k => string.Equals(
                    k.Value.Trim(), kv.Value.Trim(), StringComparison.OrdinalIgnoreCase)).Key ?? kv.Value),
            };
        var total = epochs.LastOrDefault(e => e.Total is not null)?.Total;
        int firstEpoch = epochs[0].Epoch;
        if (parser.MarkerLines == 0) notes.Add("no epoch numbers: each validation result ends an epoch");
        if (parser.ValidationSize is { } stated)
            notes.Add($"the log states {stated} validation samples: the accuracies' binomial noise is on that many");
        var logs = LogAssembly.Build(table, new LogDescription
        {
            Name = Path.GetFileNameWithoutExtension(path), Source = path, Reader = Name, Format = "text",
            Epochs = epochs.Select(e => (double)e.Epoch).ToArray(), Segments = epochs.Select(e => e.Segment).ToArray(),
            Hints = new RoleHints { RowsAreEpochs = false },
            UnphasedTrainAccuracy = parser.Unphased.Contains("train_acc"),
            ValidationSize = parser.ValidationSize, TrainSize = parser.TrainSize,
            Hyperparameters = parser.Classes is { } classes
                ? new() { ["num_classes"] = classes.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                : new(),
            PlannedEpochs = total is { } t ? (firstEpoch == 0 ? t + 1 : t) : null,
            Notes = notes, Events = events,
        }, options);
        // The report names the keys as printed ("val_acc ← Test Acc"), not the names they were read into.
        // A tqdm bar's postfix ("loss=0.41") is its last batch's loss: the mapping says so.
        foreach (var log in logs)
            for (int i = 0; i < log.Columns.Count; i++)
            {
                var column = log.Columns[i];
                // Only losses: a bar's accuracy is most often the epoch's running one (100 * correct / processed).
                if (parser.LastBatch.Contains(column.Column) && column.Role.EndsWith("_loss", StringComparison.Ordinal))
                    column = column with
                    {
                        Note = (column.Note is null ? "" : column.Note + ", ") + LastBatchNote,
                    };
                if (parser.Keys.TryGetValue(column.Column, out var key) && key != column.Column)
                    column = column with { Column = key };
                if (announcedRates && column.Role == "lr") column = column with { Column = RatesColumn };
                log.Columns[i] = column;
            }
        return logs;
    }

    /// <summary>Fewer epochs than this are too few to judge a curve by: evaluations within them are read instead.
    /// </summary>
    const int FewEpochs = 6;

    /// <summary>
    /// A log of a few epochs that evaluates every N steps within them ("epoch=1 step=200 train_loss=.. val_loss=.."):
    /// each evaluation is a point of the curves, numbered 1..N in order (the note says at which steps); the epochs'
    /// own summaries are left out.
    /// </summary>
    List<TrainingLog> BuildEvaluations(string path, TextLogParser parser, int epochCount, ReadOptions options,
        Func<int, string>? place)
    {
        var evaluations = parser.Evaluations;
        var numbers = new double[evaluations.Count];
        for (int i = 0; i < numbers.Length; i++)
            numbers[i] = i > 0 && evaluations[i].Segment == evaluations[i - 1].Segment ? numbers[i - 1] + 1 : 1;
        var steps = evaluations.Select(e => e.Step).ToList();
        var spacing = steps.Zip(steps.Skip(1), (a, b) => b - a).Where(d => d > 0).DefaultIfEmpty(0).Min();
        var notes = new List<string>
        {
            $"read from console output: {evaluations.Count} evaluations within {epochCount} epoch" +
            (epochCount == 1 ? "" : "s") + " (" + (place is null
                ? $"lines {evaluations[0].Line}-{evaluations[^1].Line}"
                : $"{place(evaluations[0].Line)} to {place(evaluations[^1].Line)}") + ")",
            $"each evaluation is one point, numbered 1..{evaluations.Count} in order (steps {G(steps[0])} to " +
            $"{G(steps[^1])}{(spacing > 0 ? $", every {G(spacing)} or more" : "")}): {epochCount} epochs are too " +
            "few to judge the curves by; the epochs' own summaries are left out",
        };
        if (parser.ValidationSize is { } stated)
            notes.Add($"the log states {stated} validation samples: the accuracies' binomial noise is on that many");
        var logs = LogAssembly.Build(SeriesTable.FromRows(path, evaluations.Select(e => e.Values).ToList()),
            new LogDescription
            {
                Name = Path.GetFileNameWithoutExtension(path), Source = path, Reader = Name, Format = "text",
                Epochs = numbers, Segments = evaluations.Select(e => e.Segment).ToArray(),
                Hints = new RoleHints { RowsAreEpochs = false },
                ValidationSize = parser.ValidationSize, TrainSize = parser.TrainSize,
                Notes = notes,
            }, options);
        foreach (var log in logs)
            for (int i = 0; i < log.Columns.Count; i++)
                if (parser.Keys.TryGetValue(log.Columns[i].Column, out var key) && key != log.Columns[i].Column)
                    log.Columns[i] = log.Columns[i] with { Column = key };
        return logs;
    }

    /// <summary>How the mapping names a learning rate read from callbacks' messages.</summary>
    internal const string RatesColumn = "'learning rate to' messages";

    /// <summary>
    /// The rows with the rate each epoch trained at, from the rates announced: a rate set within an epoch (or
    /// before it) is that epoch's, a reduction announced within an epoch is the next one's; each holds until the next
    /// announcement, within a run (a counter that starts again forgets it). A reduction is a schedule event, from the
    /// rate before it where one was announced.
    /// </summary>
    static List<IReadOnlyDictionary<string, double>> WithAnnouncedRates(List<TextEpoch> epochs,
        List<IReadOnlyDictionary<string, double>> rows, IReadOnlyList<AnnouncedRate> rates,
        List<(int Row, LogEvent Event)> events)
    {
        var result = new List<IReadOnlyDictionary<string, double>>(rows.Count);
        double carried = double.NaN;
        double? next = null;
        int k = 0;
        for (int j = 0; j < epochs.Count; j++)
        {
            if (j > 0 && epochs[j].Segment != epochs[j - 1].Segment) (carried, next) = (double.NaN, null);
            if (next is { } reduced)
            {
                events.Add((j, Reduction(epochs[j].Epoch, carried, reduced)));
                (carried, next) = (reduced, null);
            }
            for (; k < rates.Count && rates[k].Line <= epochs[j].LastLine; k++)
            {
                if (rates[k].FromNext && rates[k].Line >= epochs[j].FirstLine) next = rates[k].Rate;
                else
                {
                    if (rates[k].FromNext) events.Add((j, Reduction(epochs[j].Epoch, carried, rates[k].Rate)));
                    carried = rates[k].Rate;
                }
            }
            var row = rows[j];
            if (!double.IsNaN(carried))
            {
                var with = row.ToDictionary(kv => kv.Key, kv => kv.Value);
                with["lr"] = carried;
                row = with;
            }
            result.Add(row);
        }
        return result;
    }

    static LogEvent Reduction(int epoch, double from, double to) => new(epoch, "schedule", "lr",
        double.IsNaN(from) ? "(not logged)" : G(from), G(to), "a learning rate reduction the log announced");

    static string G(double x) => x.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How a mapping says that its values are a tqdm bar's last state.</summary>
    internal const string LastBatchNote = "a tqdm bar's last value: one batch's, not the epoch's mean";

    static (TextLogParser, List<TextEpoch>) Parse(string path, bool fencedOnly)
    {
        var parser = new TextLogParser { FencedOnly = fencedOnly };
        var epochs = new List<TextEpoch>();
        ReadLines(path, parser, epochs);
        parser.Complete(epochs);
        return (parser, epochs);
    }

    static readonly byte[][] Fences = { "```"u8.ToArray(), "~~~"u8.ToArray() };

    /// <summary>Whether a line of the file starts a code fence: a vectorized search of the bytes for ``` or ~~~
    /// (cheap beside parsing), then a look at the start of that line.</summary>
    static bool HasFence(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int kept = 0;
            while (true)
            {
                int read = stream.Read(buffer, kept, buffer.Length - kept);
                int length = kept + read;
                var span = buffer.AsSpan(0, length);
                foreach (var fence in Fences)
                    for (int at = span.IndexOf(fence); at >= 0; at = span[(at + 1)..].IndexOf(fence) is var n
                        and >= 0 ? at + 1 + n : -1)
                    {
                        int start = at;
                        while (start > 0 && span[start - 1] is (byte)' ' or (byte)'\t') start--;
                        if (start == 0 || span[start - 1] == '\n') return true;   // the buffer starts at a line's start
                    }
                if (read == 0) return false;
                // Keep the last line's start so that a fence split across two reads is still found.
                int lastNewline = span.LastIndexOf((byte)'\n');
                kept = lastNewline < 0 || length - lastNewline - 1 > 1024 ? 0 : length - lastNewline - 1;
                span[(length - kept)..].CopyTo(buffer);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>Each line of the file through the parser, on several threads (<see cref="TextLogChunks"/>).
    /// </summary>
    internal static void ReadLines(string path, TextLogParser parser, List<TextEpoch> epochs) =>
        TextLogChunks.Read(path, parser, epochs);
}
