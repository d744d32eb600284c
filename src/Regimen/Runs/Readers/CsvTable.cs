using System.Globalization;
using System.Text;

namespace Regimen.Runs.Readers;

/// <summary>A small RFC 4180 CSV reader (quoted fields, separators and quotes inside) with line numbers for errors;
/// the separator is a comma, or a tab for tab-separated logs.</summary>
internal sealed class CsvTable
{
    public required string Path { get; init; }
    public required string[] Header { get; init; }
    public char Separator { get; init; } = ',';

    /// <summary>The data rows as fields (materialized on first use: the numeric path below never needs them).</summary>
    public List<(int Line, string[] Fields)> Rows =>
        rows ??= spans!.Select(r => (r.Line, Encoding.UTF8.GetString(bytes!, r.Start, r.Length).Split(Separator)))
            .ToList();

    public int RowCount => rows?.Count ?? spans!.Count;

    List<(int Line, string[] Fields)>? rows;
    // The unquoted case keeps the file's UTF-8 bytes and each row's place in them, nothing more: on machines where
    // fresh memory costs 2.7 ms a megabyte to touch (bench/RESULTS.md), a 10^6-row log read as a UTF-16 string and
    // a string per field took three times as long.
    byte[]? bytes;
    List<(int Line, int Start, int Length)>? spans;

    /// <summary>
    /// One column as numbers, parsed straight from the bytes without a string per field (every column in one pass:
    /// <see cref="ParseAll"/>); <see cref="LogEpoch.Missing"/> where a cell is empty; null when the column does not
    /// exist, or, unless <paramref name="strict"/> (then it is an error naming the line), when a cell is not a
    /// number.
    /// </summary>
    public double[]? NumberColumn(int column, bool strict = true)
    {
        if (column < 0) return null;
        if (rows is not null || spans is null)
        {
            var result = new double[RowCount];
            for (int i = 0; i < Rows.Count; i++)
            {
                var (line, fields) = Rows[i];
                if (!strict && column < fields.Length && fields[column].Trim().Length > 0 &&
                    !double.TryParse(fields[column].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _) &&
                    Special(fields[column].Trim()) is null)
                    return null;
                result[i] = Number(fields, column, line) ?? LogEpoch.Missing;
            }
            return result;
        }
        if (column >= Header.Length) return null;
        parsed ??= ParseAll();
        int firstBad = parsed.FirstBad[column];
        if (firstBad != int.MaxValue)
        {
            if (!strict) return null;
            NonNumeric(Encoding.UTF8.GetString(Cell(bytes!, spans[firstBad], column, (byte)Separator)), column,
                spans[firstBad].Line);
        }
        // Each column is handed out once as parsed (callers scale and shift what they get), a copy after.
        if (parsed.HandedOut[column]) return (double[])parsed.Columns[column].Clone();
        parsed.HandedOut[column] = true;
        return parsed.Columns[column];
    }

    sealed record Parsed(double[][] Columns, int[] FirstBad, bool[] HandedOut);

    Parsed? parsed;

    /// <summary>
    /// Every column as numbers in one pass over the rows, in parallel chunks of rows: each cell is parsed as
    /// <see cref="NumberColumn"/> defines (empty: missing; a plain decimal, any double, nan/inf), and a column's first
    /// cell that is none of them is kept (the column is no number from there). A column at a time walked every row
    /// once per column, skipping to its field from the row's start each time (bench/RESULTS.md).
    /// </summary>
    Parsed ParseAll()
    {
        var rowSpans = spans!;
        var source = bytes!;
        byte separator = (byte)Separator;
        int n = Header.Length, count = rowSpans.Count;
        var columns = new double[n][];
        for (int c = 0; c < n; c++) columns[c] = new double[count];
        var firstBad = new int[n];
        Array.Fill(firstBad, int.MaxValue);
        Parallel.For(0, (count + ChunkRows - 1) / ChunkRows, chunk =>
        {
            int end = Math.Min(count, (chunk + 1) * ChunkRows);
            var stopped = new bool[n];
            for (int i = chunk * ChunkRows; i < end; i++)
            {
                ReadOnlySpan<byte> rest = source.AsSpan(rowSpans[i].Start, rowSpans[i].Length);
                for (int c = 0; c < n; c++)
                {
                    // Rows have the header's field count (ReadUnquoted checks it): the fields in order.
                    int comma = rest.IndexOf(separator);
                    var cell = (comma < 0 ? rest : rest[..comma]).Trim(" \t"u8);
                    rest = comma < 0 ? ReadOnlySpan<byte>.Empty : rest[(comma + 1)..];
                    if (stopped[c]) continue;
                    if (cell.Length == 0) { columns[c][i] = LogEpoch.Missing; continue; }
                    if (TryParseDecimal(cell, out var v) || double.TryParse(cell, NumberStyles.Float,
                        CultureInfo.InvariantCulture, out v)) columns[c][i] = v;
                    else if (Special(Encoding.UTF8.GetString(cell)) is { } special) columns[c][i] = special;
                    else { InterlockedMin(ref firstBad[c], i); stopped[c] = true; }
                }
            }
        });
        return new Parsed(columns, firstBad, new bool[n]);
    }

    /// <summary>One column's cells as text (trimmed).</summary>
    public string[] TextColumn(int column) =>
        Rows.Select(r => column < r.Fields.Length ? r.Fields[column].Trim() : "").ToArray();

    const int ChunkRows = 1 << 16;

    static ReadOnlySpan<byte> Cell(byte[] source, (int Line, int Start, int Length) row, int column, byte separator)
    {
        var rest = source.AsSpan(row.Start, row.Length);
        for (int c = 0; c < column; c++) rest = rest[(rest.IndexOf(separator) + 1)..];
        int comma = rest.IndexOf(separator);
        return (comma < 0 ? rest : rest[..comma]).Trim(" \t"u8);
    }

    static void InterlockedMin(ref int target, int value)
    {
        for (int seen = Volatile.Read(ref target); value < seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }

    static readonly double[] PowersOfTen = Enumerable.Range(0, 23).Select(k => Math.Pow(10, k)).ToArray();

    /// <summary>
    /// A plain decimal (optional sign, digits, optional point and digits, at most 15 significant digits) as the
    /// integer of its digits divided by a power of ten: both are exact doubles, so the quotient is the correctly
    /// rounded value, the same double.Parse gives (Clinger's fast path). Anything else is left to double.TryParse.
    /// </summary>
    internal static bool TryParseDecimal(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        int i = 0;
        bool negative = s.Length > 0 && s[0] == '-';
        if (negative || (s.Length > 0 && s[0] == '+')) i++;
        if (i == s.Length) return false;
        long mantissa = 0;
        int digits = 0, fraction = -1;
        for (; i < s.Length; i++)
        {
            int c = s[i];
            if (c == '.' && fraction < 0) { fraction = 0; continue; }
            if ((uint)(c - '0') > 9) return false;
            if (fraction >= 0) fraction++;
            if (mantissa == 0 && c == '0') continue;
            if (++digits > 15) return false;
            mantissa = mantissa * 10 + (c - '0');
        }
        if (fraction == 0) return false;
        int scale = Math.Max(fraction, 0);
        if (scale >= PowersOfTen.Length) return false;
        value = mantissa / PowersOfTen[scale];
        if (negative) value = -value;
        return true;
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
        if (spans is null || bytes is null) return Rows.Any(r => r.Fields.Any(f => f.Trim().Length == 0));
        byte sep = (byte)Separator;
        ReadOnlySpan<byte> twice = stackalloc byte[] { sep, sep };
        foreach (var (_, start, length) in spans)
        {
            var row = bytes.AsSpan(start, length);
            if (row.Length == 0 || row[0] == sep || row[^1] == sep || row.IndexOf(twice) >= 0) return true;
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

    double NonNumeric(string text, int column, int line) =>
        Special(text) ??
            throw new RegimenException($"{Path}:{line}: '{text}' in column '{Header[column]}' is not a number");

    /// <summary>The spellings of NaN and infinity that Python's loggers write and double.Parse does not take.</summary>
    static double? Special(string text) =>
        text is "nan" or "NaN" ? double.NaN : text is "inf" or "Infinity" ? double.PositiveInfinity : null;

    public static CsvTable Read(string path, char separator = ',')
    {
        byte[] bytes;
        try { bytes = ReadUtf8(path); }
        catch (IOException e) { throw new RegimenException($"{path}: cannot read ({e.Message})"); }
        int offset = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        if (bytes.Length == offset) throw new RegimenException($"{path}: empty file");
        if (bytes.AsSpan().IndexOf((byte)'"') < 0) return ReadUnquoted(path, bytes, offset, separator);
        var records = Parse(Encoding.UTF8.GetString(bytes, offset, bytes.Length - offset), path, separator);
        var header = records[0].Fields;
        var rows = records.Skip(1).Where(r => r.Fields.Length > 1 || r.Fields[0].Length > 0).ToList();
        foreach (var (line, fields) in rows)
            if (fields.Length != header.Length)
                throw new RegimenException($"{path}:{line}: {fields.Length} fields, the header has {header.Length} " +
                    $"(truncated or malformed row)");
        return new CsvTable { Path = path, Header = header, rows = rows, Separator = separator };
    }

    /// <summary>
    /// The file's bytes as UTF-8; a UTF-16 or UTF-32 file (its byte-order mark says so) is converted.
    /// </summary>
    static byte[] ReadUtf8(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bool wide = bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) ||
            (bytes[0] == 0xFE && bytes[1] == 0xFF));
        return wide ? Encoding.UTF8.GetBytes(File.ReadAllText(path)) : bytes;
    }

    /// <summary>
    /// The common case, no quotes anywhere: rows are kept as places in the bytes, checked for their field count.
    /// </summary>
    static CsvTable ReadUnquoted(string path, byte[] bytes, int offset, char separator)
    {
        var text = bytes.AsSpan();
        int firstEnd = text[offset..].IndexOf((byte)'\n') is var n and >= 0 ? offset + n : -1;
        var headerLine = Encoding.UTF8.GetString(firstEnd < 0 ? text[offset..] : text[offset..firstEnd]).TrimEnd('\r');
        var header = headerLine.Split(separator);
        // Sized once from the line count: a list that doubles as it grows touches twice the memory.
        var spans = new List<(int, int, int)>(text.Count((byte)'\n') + 1);
        int line = 1, at = firstEnd < 0 ? text.Length : firstEnd + 1;
        while (at < text.Length)
        {
            line++;
            int end = text[at..].IndexOf((byte)'\n') is var m and >= 0 ? at + m : text.Length;
            int length = end - at;
            if (length > 0 && text[at + length - 1] == '\r') length--;
            if (length > 0)
            {
                int fields = text.Slice(at, length).Count((byte)separator) + 1;
                if (fields != header.Length)
                    throw new RegimenException($"{path}:{line}: {fields} fields, the header has {header.Length} " +
                        $"(truncated or malformed row)");
                spans.Add((line, at, length));
            }
            at = end + 1;
        }
        return new CsvTable { Path = path, Header = header, bytes = bytes, spans = spans, Separator = separator };
    }

    static List<(int Line, string[] Fields)> Parse(string text, string path, char separator)
    {
        var records = new List<(int, string[])>();
        var fields = new List<string>();
        var field = new StringBuilder();
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
                case var _ when c == separator: fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    records.Add((recordLine, fields.ToArray())); fields.Clear();
                    line++; recordLine = line;
                    break;
                default: field.Append(c); break;
            }
        }
        if (quoted)
            throw new RegimenException($"{path}:{recordLine}: a quoted field is never closed (truncated file?)");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields.ToArray()));
        }
        return records;
    }
}
