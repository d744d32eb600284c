using System.Text;

namespace Regimen.Runs.Readers;

/// <summary>
/// One log format. <see cref="Recognize"/> says from the first bytes and lines of a file how sure the reader is
/// that the file is its format (0: not it, 1: certain); the most confident reader reads the file. A new format is
/// one class implementing this and one line in <see cref="LogReaders.All"/>.
/// </summary>
public interface ILogReader
{
    /// <summary>The name --format takes and the report shows.</summary>
    string Name { get; }
    /// <summary>
    /// What detection looks for, in words (listed by --formats and in the unrecognized-file message).
    /// </summary>
    string LooksFor { get; }
    double Recognize(LogSample sample);
    IReadOnlyList<TrainingLog> Read(string path, ReadOptions options);
}

/// <summary>What the user asked of the readers: a forced format and role → column overrides.</summary>
public sealed record ReadOptions
{
    /// <summary>A reader's name (--format), or null to detect it from the content.</summary>
    public string? Format { get; init; }
    /// <summary>--map ROLE=COLUMN: the column (or JSON key, or text-log key) a role is read from.</summary>
    public IReadOnlyDictionary<string, string> Map { get; init; } = new Dictionary<string, string>();
}

/// <summary>The beginning of a file, as detection sees it: its first bytes and its first non-empty lines.</summary>
public sealed class LogSample
{
    public const int HeadBytes = 64 * 1024;
    /// <summary>The non-empty lines of the head kept in <see cref="Lines"/>.</summary>
    public const int MaxLines = 200;

    public required string Path { get; init; }
    public required byte[] Head { get; init; }
    /// <summary>Whether the head looks binary (NUL bytes or many control characters).</summary>
    public required bool Binary { get; init; }
    /// <summary>Up to 200 non-empty lines of the head, decoded as UTF-8, without the byte-order mark.</summary>
    public required IReadOnlyList<string> Lines { get; init; }
    /// <summary>Whether the head ends before the file does (its last line may be cut).</summary>
    public required bool Truncated { get; init; }

    public string FileName => System.IO.Path.GetFileName(Path);
    public string FirstLine => Lines.Count > 0 ? Lines[0] : "";
    /// <summary>The head as text (after the byte-order mark).</summary>
    public string Text => text ??= Encoding.UTF8.GetString(Head, Bom(Head), Head.Length - Bom(Head));
    string? text;

    public static LogSample Of(string path)
    {
        byte[] head;
        bool truncated;
        using (var stream = File.OpenRead(path))
        {
            head = new byte[(int)Math.Min(HeadBytes, stream.Length)];
            stream.ReadExactly(head);
            truncated = stream.Length > head.Length;
        }
        head = Utf16ToUtf8(head);
        int control = 0;
        // Tabs, newlines, carriage returns, form feeds, ANSI escapes and backspaces (Keras' bar erases itself with
        // them) are a console's text.
        foreach (var b in head) if (b == 0 || (b < 32 && b is not (8 or 9 or 10 or 13 or 27 or 12))) control++;
        var lines = new List<string>();
        int bom = Bom(head), start = bom;
        for (int i = bom; i <= head.Length && lines.Count < MaxLines; i++)
            if (i == head.Length || head[i] == '\n')
            {
                if (i == head.Length && truncated) break;
                var line = Encoding.UTF8.GetString(head, start, i - start).TrimEnd('\r');
                if (line.Trim().Length > 0) lines.Add(line);
                start = i + 1;
            }
        return new LogSample
        {
            Path = path, Head = head, Binary = head.Length > 0 &&
                (head.Contains((byte)0) || control > head.Length / 20),
            Lines = lines, Truncated = truncated,
        };
    }

    /// <summary>Lines that are not a file of their own (a notebook cell's outputs), as detection sees them.</summary>
    public static LogSample OfLines(string path, IReadOnlyList<string> lines)
    {
        var kept = lines.Where(l => l.Trim().Length > 0).Take(MaxLines).ToList();
        var head = Encoding.UTF8.GetBytes(string.Join('\n', kept));
        if (head.Length > HeadBytes) head = head[..HeadBytes];
        return new LogSample { Path = path, Head = head, Binary = false, Lines = kept, Truncated = false };
    }

    static int Bom(byte[] head) => head.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;

    /// <summary>A UTF-16 head (PowerShell's redirection writes it) as UTF-8, so that the readers see text.</summary>
    static byte[] Utf16ToUtf8(byte[] head)
    {
        if (head.Length < 2) return head;
        if (head[0] == 0xFF && head[1] == 0xFE)
            return Encoding.UTF8.GetBytes(Encoding.Unicode.GetString(head, 2, (head.Length - 2) & ~1));
        if (head[0] == 0xFE && head[1] == 0xFF)
            return Encoding.UTF8.GetBytes(Encoding.BigEndianUnicode.GetString(head, 2, (head.Length - 2) & ~1));
        return head;
    }
}

/// <summary>
/// A reader of text lines that may come from elsewhere than a file of their own (a notebook's cell outputs).
/// </summary>
internal interface ILineLogReader : ILogReader
{
    /// <summary>Reads <paramref name="lines"/> as the file <paramref name="path"/>; <paramref name="place"/>, where
    /// given, says where a line (numbered from 1) of them is in that file.</summary>
    IReadOnlyList<TrainingLog> ReadLines(string path, IReadOnlyList<string> lines, ReadOptions options,
        Func<int, string>? place = null);
}
