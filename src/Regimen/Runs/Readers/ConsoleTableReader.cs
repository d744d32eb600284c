using System.Globalization;

namespace Regimen.Runs.Readers;

/// <summary>
/// A table printed with spaces, as fastai's Learner prints its epochs to a console: "epoch  train_loss  valid_loss
/// error_rate  time", then one row of numbers per epoch ("#na#" where a value is missing, "00:08" for the time).
/// Pasted in a file or a Markdown fence. Every table with the same header as the first is read; each is its own run
/// (one fit call: fastai's fine_tune prints the frozen epoch, then the rest, each table counting from 0).
/// </summary>
internal sealed class ConsoleTableReader : ILineLogReader
{
    static readonly string[] FastaiNotes =
        { "fastai's metric columns (accuracy, error_rate) are measured on the validation set" };

    public string Name => "console-table";
    public string LooksFor => "a table printed with spaces: an 'epoch  train_loss  valid_loss ...' header, then rows " +
        "of numbers (fastai's console output)";

    public double Recognize(LogSample sample)
    {
        if (sample.Binary) return 0;
        for (int i = 0; i + 1 < sample.Lines.Count; i++)
            if (TableHeader(sample.Lines[i], sample.Lines[i + 1]) is not null) return 0.55;
        return 0;
    }

    /// <summary>The header's names where the next line is a row of as many cells: names apart by single spaces,
    /// else by two or more ("Epoch    Loss      Validation Accuracy": a name of two words).</summary>
    static string[]? TableHeader(string line, string next)
    {
        foreach (var wide in new[] { false, true })
            if (Header(line, wide) is { } header && Row(next, header.Length) is not null) return header;
        return null;
    }

    /// <summary>
    /// The column names of a header line: "epoch" (or "step") first, names only, a loss or an accuracy among them.
    /// </summary>
    static string[]? Header(string line, bool wide = false)
    {
        var names = wide
            ? System.Text.RegularExpressions.Regex.Split(line.Trim(), @"\s{2,}|\t")
            : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        // "epoch" first (fastai), or "Step" (the Hugging Face Trainer's table when it evaluates every N steps)
        if (names.Length < 2 || !(names[0].Equals("epoch", StringComparison.OrdinalIgnoreCase) ||
            names[0].Equals("step", StringComparison.OrdinalIgnoreCase))) return null;
        if (names.Any(n => Cell(n) is not null || n == "#na#")) return null;
        return names.Any(n => ColumnRoles.Classify(n).Quantity is "loss" or "acc" or "top5" or "error") ? names : null;
    }

    /// <summary>
    /// A row's values (missing as <see cref="LogEpoch.Missing"/>): as many cells as the header, the first a whole
    /// number, every cell a number, a time or "#na#"; else null.
    /// </summary>
    static double[]? Row(string line, int cells)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != cells || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return null;
        var values = new double[cells];
        for (int c = 0; c < cells; c++)
        {
            if (parts[c] == "#na#") values[c] = LogEpoch.Missing;
            else if (Cell(parts[c]) is { } v) values[c] = v;
            else return null;
        }
        return values;
    }

    /// <summary>A number, or a time as "mm:ss" / "h:mm:ss" in seconds.</summary>
    static double? Cell(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
            : text.Contains(':') ? LogAssembly.ParseDuration(text) : null;

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options) =>
        ReadLines(path, File.ReadAllLines(path), options);

    public IReadOnlyList<TrainingLog> ReadLines(string path, IReadOnlyList<string> lines, ReadOptions options,
        Func<int, string>? place = null)
    {
        string[]? header = null;
        var rows = new List<IReadOnlyDictionary<string, double>>();
        var tables = new List<int>();
        for (int i = 0; i < lines.Count; i++)
        {
            var names = i + 1 < lines.Count ? TableHeader(lines[i], lines[i + 1]) : null;
            if (names is null || header is not null && !names.SequenceEqual(header)) continue;
            header ??= names;
            int table = tables.Count > 0 ? tables[^1] + 1 : 0;
            for (; i + 1 < lines.Count && Row(lines[i + 1], header.Length) is { } values; i++)
            {
                var row = new Dictionary<string, double>();
                for (int c = 0; c < header.Length; c++)
                    if (!LogEpoch.IsMissing(values[c])) row[header[c]] = values[c];
                rows.Add(row);
                tables.Add(table);
            }
        }
        if (header is null || rows.Count == 0)
            throw new RegimenException($"{path}: no table printed with spaces found (looked for an 'epoch  " +
                "train_loss  valid_loss ...' header line followed by rows of numbers)");
        bool fastai = header.Contains("train_loss") && header.Contains("valid_loss");
        return LogAssembly.Build(SeriesTable.FromRows(path, rows), new LogDescription
        {
            Name = Path.GetFileNameWithoutExtension(path), Source = path, Reader = Name,
            Format = fastai ? "fastai" : "console-table",
            Hints = new RoleHints { UnphasedMetricsAreValidation = fastai }, Segments = tables.ToArray(),
            Notes = fastai ? FastaiNotes : Array.Empty<string>(),
        }, options);
    }
}
