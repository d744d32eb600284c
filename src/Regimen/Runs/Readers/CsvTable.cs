using System.Globalization;

namespace Regimen.Runs.Readers;

/// <summary>A small RFC 4180 CSV reader (quoted fields, commas and quotes inside) with line numbers for errors.</summary>
internal sealed class CsvTable
{
    public required string Path { get; init; }
    public required string[] Header { get; init; }

    /// <summary>The data rows as fields (materialized on first use: the numeric path below never needs them).</summary>
    public List<(int Line, string[] Fields)> Rows => rows ??= spans!.Select(r => (r.Line, text!.Substring(r.Start, r.Length).Split(','))).ToList();

    public int RowCount => rows?.Count ?? spans!.Count;

    List<(int Line, string[] Fields)>? rows;
    string? text;
    List<(int Line, int Start, int Length)>? spans;

    /// <summary>
    /// One column as numbers, parsed straight from the text without a string per field (a log of 10^6 rows
    /// stays within the analyst's time budget); null where a cell is empty.
    /// </summary>
    public double?[] NumberColumn(int column)
    {
        var result = new double?[RowCount];
        if (column < 0) return result;
        if (rows is not null || spans is null)
        {
            for (int i = 0; i < Rows.Count; i++) result[i] = Number(Rows[i].Fields, column, Rows[i].Line);
            return result;
        }
        for (int i = 0; i < spans.Count; i++)
        {
            var (line, start, length) = spans[i];
            var rest = text.AsSpan(start, length);
            for (int c = 0; c < column; c++)
            {
                int comma = rest.IndexOf(',');
                rest = rest[(comma + 1)..];
            }
            int end = rest.IndexOf(',');
            var cell = (end < 0 ? rest : rest[..end]).Trim();
            if (cell.Length == 0) continue;
            if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) result[i] = v;
            else result[i] = NonNumeric(cell.ToString(), column, line);
        }
        return result;
    }

    public int Column(params string[] names)
    {
        foreach (var n in names)
        {
            int i = Array.FindIndex(Header, h => string.Equals(h.Trim(), n, StringComparison.OrdinalIgnoreCase));
            if (i >= 0) return i;
        }
        return -1;
    }

    /// <summary>Whether some cell is empty (Lightning's sparse rows), found without splitting the rows.</summary>
    public bool HasEmptyCells()
    {
        if (spans is null || text is null) return Rows.Any(r => r.Fields.Any(f => f.Trim().Length == 0));
        foreach (var (_, start, length) in spans)
        {
            var row = text.AsSpan(start, length);
            if (row.Length == 0 || row[0] == ',' || row[^1] == ',' || row.IndexOf(",,") >= 0) return true;
        }
        return false;
    }

    public double? Number(string[] fields, int column, int line)
    {
        if (column < 0 || column >= fields.Length) return null;
        var span = fields[column].AsSpan().Trim();
        if (span.Length == 0) return null;
        if (double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        return NonNumeric(span.ToString(), column, line);
    }

    double? NonNumeric(string text, int column, int line)
    {
        if (text is "nan" or "NaN") return double.NaN;
        if (text is "inf" or "Infinity") return double.PositiveInfinity;
        throw new RegimenException($"{Path}:{line}: '{text}' in column '{Header[column]}' is not a number");
    }

    public static CsvTable Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new RegimenException($"{path}: cannot read ({e.Message})"); }
        if (text.Length == 0) throw new RegimenException($"{path}: empty file");
        if (!text.Contains('"')) return ReadUnquoted(path, text);
        var records = Parse(text, path);
        var header = records[0].Fields;
        var rows = records.Skip(1).Where(r => r.Fields.Length > 1 || r.Fields[0].Length > 0).ToList();
        foreach (var (line, fields) in rows)
            if (fields.Length != header.Length)
                throw new RegimenException($"{path}:{line}: {fields.Length} fields, the header has {header.Length} (truncated or malformed row)");
        return new CsvTable { Path = path, Header = header, rows = rows };
    }

    /// <summary>The common case, no quotes anywhere: rows are kept as spans of the text, checked for their field count.</summary>
    static CsvTable ReadUnquoted(string path, string text)
    {
        int firstEnd = text.IndexOf('\n');
        var headerLine = (firstEnd < 0 ? text : text[..firstEnd]).TrimEnd('\r');
        var header = headerLine.Split(',');
        var spans = new List<(int, int, int)>();
        int line = 1, at = firstEnd < 0 ? text.Length : firstEnd + 1;
        while (at < text.Length)
        {
            line++;
            int end = text.IndexOf('\n', at);
            if (end < 0) end = text.Length;
            int length = end - at;
            if (length > 0 && text[at + length - 1] == '\r') length--;
            if (length > 0)
            {
                int fields = text.AsSpan(at, length).Count(',') + 1;
                if (fields != header.Length)
                    throw new RegimenException($"{path}:{line}: {fields} fields, the header has {header.Length} (truncated or malformed row)");
                spans.Add((line, at, length));
            }
            at = end + 1;
        }
        return new CsvTable { Path = path, Header = header, text = text, spans = spans };
    }

    static List<(int Line, string[] Fields)> Parse(string text, string path)
    {
        var records = new List<(int, string[])>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        int line = 1, recordLine = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    records.Add((recordLine, fields.ToArray())); fields.Clear();
                    line++; recordLine = line;
                    break;
                default: field.Append(c); break;
            }
        }
        if (quoted) throw new RegimenException($"{path}:{recordLine}: a quoted field is never closed (truncated file?)");
        if (field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); records.Add((recordLine, fields.ToArray())); }
        return records;
    }
}
