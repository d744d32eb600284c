using System.Globalization;

namespace Regimen.Runs.Readers;

/// <summary>
/// A Markdown table of epochs, as people summarize a run in a README: "| Epoch | Train Loss | Val Acc |", a
/// "|---|" row, then one row per epoch. Cells may carry emphasis, emoji or a % sign: each cell's first number counts.
/// Tables further down with the same columns continue the run (a counter that starts again is a new run).
/// </summary>
internal sealed class MarkdownTableReader : ILineLogReader
{
    static readonly string[] MarkdownNotes = { "read from a Markdown table (each cell's first number)" };

    public string Name => "markdown-table";
    public string LooksFor => "a Markdown table (| Epoch | ... | with a |---| row) with a loss or accuracy column";

    public double Recognize(LogSample sample)
    {
        if (sample.Binary) return 0;
        for (int i = 0; i + 2 < sample.Lines.Count; i++)
            if (IsRow(sample.Lines[i]) && IsSeparator(sample.Lines[i + 1]) && IsRow(sample.Lines[i + 2]))
            {
                var header = Cells(sample.Lines[i]);
                if (header.Any(h => ColumnRoles.Classify(h).Quantity is "loss" or "acc" or "top5" or "error") &&
                    Cells(sample.Lines[i + 2]).Count(c => FirstNumber(c) is not null) * 2 >= header.Count)
                    return 0.6;
            }
        return 0;
    }

    static bool IsRow(string line) => line.TrimStart().StartsWith('|') && line.Count(c => c == '|') >= 3;
    static bool IsSeparator(string line) => IsRow(line) && line.Trim().Trim('|').Split('|')
        .All(c => c.Trim().Trim(':').Length > 0 && c.Trim().Trim(':').All(x => x == '-'));

    static List<string> Cells(string line)
    {
        var t = line.Trim();
        if (t.StartsWith('|')) t = t[1..];
        if (t.EndsWith('|')) t = t[..^1];
        return t.Split('|').Select(c => c.Trim()).ToList();
    }

    /// <summary>The first number in a cell ("**77.45%** ✅" → 77.45), or null.</summary>
    static double? FirstNumber(string cell)
    {
        for (int i = 0; i < cell.Length; i++)
        {
            if (!char.IsAsciiDigit(cell[i])) continue;
            int start = i > 0 && cell[i - 1] == '-' ? i - 1 : i;
            int k = i;
            while (k < cell.Length && (char.IsAsciiDigit(cell[k]) || cell[k] == '.')) k++;
            if (k + 1 < cell.Length && cell[k] is 'e' or 'E' && (char.IsAsciiDigit(cell[k + 1]) || cell[k + 1] == '-'))
            {
                k += 2;
                while (k < cell.Length && char.IsAsciiDigit(cell[k])) k++;
            }
            return double.TryParse(cell[start..k], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : null;
        }
        return null;
    }

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options) =>
        ReadLines(path, File.ReadAllLines(path), options);

    public IReadOnlyList<TrainingLog> ReadLines(string path, IReadOnlyList<string> lines, ReadOptions options,
        Func<int, string>? place = null)
    {
        List<string>? header = null;
        var rows = new List<IReadOnlyDictionary<string, double>>();
        for (int i = 0; i + 1 < lines.Count; i++)
        {
            if (!IsRow(lines[i]) || !IsSeparator(lines[i + 1])) continue;
            var names = Cells(lines[i]);
            if (header is null)
            {
                if (!names.Any(h => ColumnRoles.Classify(h).Quantity is "loss" or "acc" or "top5" or "error")) continue;
                header = names;
            }
            else if (!names.SequenceEqual(header)) continue;
            int r = i + 2;
            for (; r < lines.Count && IsRow(lines[r]); r++)
            {
                var cells = Cells(lines[r]);
                if (cells.Count != header.Count)
                {
                    var at = place is null ? $"{path}:{r + 1}" : $"{path}, {place(r + 1)}";
                    throw new RegimenException($"{at}: {cells.Count} cells, the table's header has {header.Count}");
                }
                var row = new Dictionary<string, double>();
                for (int c = 0; c < cells.Count; c++)
                    if (FirstNumber(cells[c]) is { } v) row[header[c]] = v;
                if (row.Count > 0) rows.Add(row);
            }
            i = r - 1;
        }
        if (header is null || rows.Count == 0)
            throw new RegimenException($"{path}: no Markdown table with a loss or accuracy column (looked for '| " +
                $"Epoch | Train Loss | ... |' and a '|---|' row)");
        return LogAssembly.Build(SeriesTable.FromRows(path, rows), new LogDescription
        {
            Name = Path.GetFileNameWithoutExtension(path), Source = path, Reader = Name, Format = "markdown",
            Notes = MarkdownNotes,
        }, options);
    }
}
