using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Regimen.Runs.Readers;

/// <summary>
/// A Jupyter notebook (.ipynb, nbformat 3 or 4, under any name): the outputs of its code cells, in order, read the
/// way the same output pasted from a console would be: stream text and the text/plain of results, with carriage
/// returns and backspaces resolved to the last state of each line (Keras' verbose=1 bar, tqdm); an HTML table
/// (fastai's and the Hugging Face Trainer's epoch tables exist only as text/html) as a table printed with spaces.
/// The cells that hold the log are the ones the text, console-table or Markdown-table reader recognizes.
/// </summary>
internal sealed partial class NotebookReader : ILogReader
{
    static readonly ILineLogReader[] LineReaders =
        { new MarkdownTableReader(), new ConsoleTableReader(), new TextLogReader() };

    public string Name => "notebook";
    public string LooksFor => "a Jupyter notebook (a JSON object with \"cells\" and \"nbformat\"): its code cells' " +
        "outputs, read as console output or (fastai's, Hugging Face's) HTML tables";

    public double Recognize(LogSample sample)
    {
        if (sample.Binary || !sample.Text.TrimStart().StartsWith('{')) return 0;
        var text = sample.Text;
        bool cells = text.Contains("\"cells\"", StringComparison.Ordinal) ||
            text.Contains("\"worksheets\"", StringComparison.Ordinal);
        // A long notebook writes "nbformat" after its cells, beyond the head: "cell_type" says it as well.
        bool notebook = text.Contains("\"nbformat\"", StringComparison.Ordinal) ||
            text.Contains("\"cell_type\"", StringComparison.Ordinal);
        return cells && notebook ? 1 : 0;
    }

    /// <summary>A code cell's outputs as lines: its place among all cells (from 1) and its execution count.</summary>
    internal sealed record Cell(int Number, int? ExecutionCount, List<string> Lines)
    {
        /// <summary>"4 (In [3])": the cell's place, and the prompt Jupyter shows beside it.</summary>
        public string Label => ExecutionCount is { } n ? $"{Number} (In [{n}])" : $"{Number}";
    }

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        using var doc = HuggingFaceReader.Parse(path, "a Jupyter notebook");
        var cells = Cells(path, doc.RootElement, out int total);
        var (reader, chosen) = Choose(path, cells) ?? throw new RegimenException($"{path}: no cell output of this " +
            $"notebook ({cells.Count} code cells with output, of {total} cells) is a training log: looked in stream " +
            "text, text/plain and HTML tables for epochs with a loss or an accuracy (Keras' 'Epoch 3/50' and " +
            "'loss: 0.41', fastai's epoch/train_loss/valid_loss table, console prints)");
        var lines = new List<string>();
        var starts = new List<(int First, Cell Cell)>();
        foreach (var cell in chosen)
        {
            starts.Add((lines.Count + 1, cell));
            lines.AddRange(cell.Lines);
        }
        string Place(int line)
        {
            var (first, cell) = starts.Last(s => s.First <= line);
            return $"cell {cell.Label} line {line - first + 1}";
        }
        var logs = reader.ReadLines(path, lines, options, Place);
        var from = $"read from a Jupyter notebook: the outputs of {(chosen.Count == 1 ? "code cell" : "code cells")} " +
            $"{string.Join(", ", chosen.Select(c => c.Label))} (of {total} {(total == 1 ? "cell" : "cells")}), by " +
            $"the {reader.Name} reader";
        var result = logs.Select(l =>
        {
            var notes = new List<string> { from };
            notes.AddRange(l.Notes);
            return l with { Reader = Name, Notes = notes };
        }).ToList();
        // A fit without validation data, then model.evaluate (or prints of the test loss and accuracy) in a later
        // cell: that evaluation is the run's held-out score, at its last epoch.
        if (result.Count > 0 && !result.Any(l => l.Epochs.Any(e => e.ValLoss is not null || e.ValAccuracy is not null))
            && cells.Where(c => c.Number > chosen[^1].Number).Select(Evaluation).FirstOrDefault(e => e is not null)
                is var (evaluated, loss, accuracy))
        {
            var last = result[^1];
            var epochs = last.Epochs.ToList();
            epochs[^1] = epochs[^1] with { ValLoss = loss, ValAccuracy = accuracy };
            var columns = last.Columns.ToList();
            if (loss is not null) columns.Add(new ColumnMapping("val_loss", $"cell {evaluated.Label}'s evaluation"));
            if (accuracy is not null)
                columns.Add(new ColumnMapping("val_acc", $"cell {evaluated.Label}'s evaluation"));
            result[^1] = last with
            {
                Epochs = epochs,
                Columns = columns,
                NotFound = last.NotFound.Where(r => !(r == "val_loss" && loss is not null ||
                    r == "val_acc" && accuracy is not null)).ToList(),
                Notes = last.Notes.Append($"the fit has no validation data: the evaluation printed by cell " +
                    $"{evaluated.Label} after it is the held-out score of the last epoch").ToList(),
            };
        }
        return result;
    }

    /// <summary>
    /// A cell whose output is one evaluation and no epoch (Keras' evaluate: "157/157 - 1s - loss: 2.10 - accuracy:
    /// 0.66"; "Test loss: 1.29" / "Test accuracy: 0.78"): its loss and accuracy, else null.
    /// </summary>
    static (Cell Cell, double? Loss, double? Accuracy)? Evaluation(Cell cell)
    {
        var parser = new TextLogParser();
        var epochs = new List<TextEpoch>();
        foreach (var line in cell.Lines) parser.Feed(line, epochs);
        parser.Complete(epochs);
        // without epoch numbers each validation value ends an epoch: "Test loss" and "Test accuracy" are two
        if (parser.MarkerLines > 0 || epochs.Count is 0 or > 3) return null;
        double? Get(string quantity)
        {
            foreach (var (key, value) in epochs.SelectMany(e => e.Values))
                if (ColumnRoles.Classify(key).Quantity == quantity && key is "train_loss" or "val_loss" or
                    "train_acc" or "val_acc")
                    return quantity == "acc" && value > 1 && value <= 100 ? value / 100 : value;
            return null;
        }
        var (loss, accuracy) = (Get("loss"), Get("acc"));
        return loss is null && accuracy is null ? null : (cell, loss, accuracy);
    }

    /// <summary>
    /// The reader and the cells it reads: each cell is scored by each line reader; the reader that recognizes the
    /// most cells best reads those of its cells that carry epoch numbers (cells such as model.evaluate's output,
    /// one line of values without an epoch, are left out when other cells have epochs).
    /// </summary>
    static (ILineLogReader, List<Cell>)? Choose(string path, List<Cell> cells)
    {
        var scored = cells.Select(c =>
        {
            var sample = LogSample.OfLines(path, c.Lines);
            return (Cell: c, Scores: LineReaders.Select(r => r.Recognize(sample)).ToArray());
        }).ToList();
        (ILineLogReader Reader, List<Cell> Cells, double Score)? best = null;
        for (int r = 0; r < LineReaders.Length; r++)
        {
            // The cells where this reader is the most confident one.
            var mine = scored.Where(s => s.Scores[r] > 0 && s.Scores.Select((x, i) => (x, i))
                .All(o => o.i == r || o.x < s.Scores[r] || o.x == s.Scores[r] && o.i > r)).ToList();
            if (mine.Count == 0) continue;
            double top = mine.Max(s => s.Scores[r]);
            // The text reader scores a cell with no epoch number 0.2, with epochs 0.35 or more.
            var kept = mine.Where(s => s.Scores[r] >= Math.Min(top, 0.35)).ToList();
            double score = kept.Count + kept.Sum(s => s.Scores[r]) / (kept.Count + 1);
            if (best is null || score > best.Value.Score)
                best = (LineReaders[r], kept.Select(s => s.Cell).ToList(), score);
        }
        return best is { } b ? (b.Reader, b.Cells) : null;
    }

    /// <summary>The code cells with output, in order (nbformat 4's cells, nbformat 3's worksheets' cells).</summary>
    internal static List<Cell> Cells(string path, JsonElement root, out int total)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new RegimenException($"{path}: not a Jupyter notebook (the JSON is not an object)");
        var all = new List<JsonElement>();
        if (root.TryGetProperty("cells", out var cells) && cells.ValueKind == JsonValueKind.Array)
            all.AddRange(cells.EnumerateArray());
        else if (root.TryGetProperty("worksheets", out var sheets) && sheets.ValueKind == JsonValueKind.Array)
        {
            foreach (var sheet in sheets.EnumerateArray())
                if (sheet.ValueKind == JsonValueKind.Object && sheet.TryGetProperty("cells", out var c) &&
                    c.ValueKind == JsonValueKind.Array)
                    all.AddRange(c.EnumerateArray());
        }
        else throw new RegimenException($"{path}: not a Jupyter notebook (no \"cells\" list)");
        total = all.Count;
        var result = new List<Cell>();
        for (int i = 0; i < all.Count; i++)
        {
            var cell = all[i];
            if (cell.ValueKind != JsonValueKind.Object || Text(cell, "cell_type") != "code" ||
                !cell.TryGetProperty("outputs", out var outputs) || outputs.ValueKind != JsonValueKind.Array)
                continue;
            int? count = null;
            foreach (var key in new[] { "execution_count", "prompt_number" })
                if (cell.TryGetProperty(key, out var n) && n.ValueKind == JsonValueKind.Number &&
                    n.TryGetInt32(out var k))
                    count = k;
            var lines = OutputLines(outputs);
            if (lines.Any(l => l.Trim().Length > 0)) result.Add(new Cell(i + 1, count, lines));
        }
        return result;
    }

    /// <summary>
    /// A cell's outputs as the lines a console would show: consecutive stream text joined (a line may be split
    /// across outputs), each result's table or text on lines of its own.
    /// </summary>
    static List<string> OutputLines(JsonElement outputs)
    {
        var text = new StringBuilder();
        foreach (var output in outputs.EnumerateArray())
        {
            if (output.ValueKind != JsonValueKind.Object) continue;
            var type = Text(output, "output_type");
            if (type == "stream")
            {
                text.Append(Text(output, "text"));
                continue;
            }
            if (type is not ("execute_result" or "display_data" or "pyout")) continue;
            // nbformat 4 keeps a result's forms under "data"; nbformat 3 beside the output's other keys.
            var data = output.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : output;
            var html = Text(data, "text/html") ?? Text(data, "html");
            var table = html is null ? null : HtmlTables(html);
            var shown = table is { Length: > 0 } ? table : Text(data, "text/plain") ?? Text(data, "text");
            if (shown is null) continue;
            if (text.Length > 0 && text[^1] != '\n') text.Append('\n');
            text.Append(shown);
            text.Append('\n');
        }
        return ConsoleLines(text.ToString());
    }

    /// <summary>A string field, or a list of strings joined (nbformat splits multi-line text into a list).</summary>
    static string? Text(JsonElement e, string key)
    {
        if (!e.TryGetProperty(key, out var v)) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        if (v.ValueKind != JsonValueKind.Array) return null;
        var s = new StringBuilder();
        foreach (var part in v.EnumerateArray())
            if (part.ValueKind == JsonValueKind.String) s.Append(part.GetString());
        return s.ToString();
    }

    /// <summary>
    /// Text as the console shows it at the end: a carriage return or a run of backspaces redraws the line, and its
    /// last non-blank state counts, so a progress bar redrawn 400 times is its final line (Keras' bar erases itself
    /// with backspaces, then a carriage return, before each redraw).
    /// </summary>
    internal static List<string> ConsoleLines(string text)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        var state = new StringBuilder();
        void Keep()
        {
            for (int i = 0; i < state.Length; i++)
                if (!char.IsWhiteSpace(state[i])) { line.Clear().Append(state); return; }
        }
        void EndState()
        {
            Keep();
            state.Clear();
        }
        char previous = '\0';
        foreach (char c in text)
        {
            if (c == '\b')
            {
                if (previous != '\b') Keep();
                if (state.Length > 0) state.Length--;
            }
            else if (c == '\r') EndState();
            else if (c == '\n')
            {
                EndState();
                lines.Add(line.ToString());
                line.Clear();
            }
            else state.Append(c);
            previous = c;
        }
        EndState();
        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }

    /// <summary>
    /// The HTML tables of a result as tables printed with spaces (one line per row, a cell's inner spaces as '_',
    /// an empty or non-numeric cell of the body as "#na#"); null when the HTML holds no table. A table whose first
    /// header cell is empty (pandas' index column) counts only when every cell of its body is a number: the index
    /// of a DataFrame of the history is the epoch, that of a table of results with names in it is not.
    /// </summary>
    internal static string? HtmlTables(string html)
    {
        var tables = TableTag().Matches(html);
        if (tables.Count == 0) return null;
        var text = new StringBuilder();
        foreach (Match table in tables)
        {
            var rows = new List<(bool Header, List<string> Cells)>();
            foreach (Match row in RowTag().Matches(table.Value))
            {
                var cells = CellTag().Matches(row.Value).Select(m =>
                    (Header: m.Groups[1].Value.Equals("th", StringComparison.OrdinalIgnoreCase),
                        Text: WhiteSpace().Replace(WebUtility.HtmlDecode(Tag().Replace(m.Groups[2].Value, " "))
                            .Trim(), "_"))).ToList();
                if (cells.Count > 0)
                    rows.Add((cells.Skip(1).All(c => c.Header), cells.Select(c => c.Text).ToList()));
            }
            bool indexed = rows.Count > 0 && rows[0].Header && rows[0].Cells[0].Length == 0;
            if (indexed && !rows.Where(r => !r.Header).All(r => r.Cells.All(IsValue))) continue;
            foreach (var (header, cells) in rows)
                text.Append(string.Join("  ", cells.Select((c, i) => c.Length > 0 && (header || IsValue(c)) ? c
                    : header && i == 0 ? "epoch" : "#na#"))).Append('\n');
        }
        return text.ToString();
    }

    static bool IsValue(string cell) =>
        double.TryParse(cell.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out _) ||
        LogAssembly.ParseDuration(cell) is not null;

    [GeneratedRegex(@"<table\b.*?</table>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex TableTag();
    [GeneratedRegex(@"<tr\b.*?</tr>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex RowTag();
    [GeneratedRegex(@"<(th|td)\b[^>]*>(.*?)</\1>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex CellTag();
    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();
    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
