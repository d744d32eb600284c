using System.Text;
using System.Text.Json;

namespace Regimen.Evolve;

/// <summary>
/// ledger.jsonl, safe with several writers and after a crash. Every append takes an exclusive lock on the file
/// (flock through FileShare.None), drops a torn last line left by a writer that died mid-write (it was never
/// acknowledged, so nothing acknowledged is lost), writes one whole line and flushes it to disk before releasing.
/// </summary>
public sealed class Ledger
{
    static readonly JsonSerializerOptions Json = MeasuredDoubleConverter.Record(omitNulls: true);
    readonly TimeSpan lockTimeout;

    public Ledger(string path, TimeSpan? lockTimeout = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        this.lockTimeout = lockTimeout ?? TimeSpan.FromSeconds(60);
    }

    public string Path { get; }

    public void Append(LedgerEntry entry)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
        using var stream = OpenLocked(FileMode.OpenOrCreate, FileAccess.ReadWrite);
        DropTornTail(stream);
        stream.Seek(0, SeekOrigin.End);
        try
        {
            stream.Write(line);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            // A full disk mid-line: cut the partial line off again so the file stays whole.
            try { DropTornTail(stream); } catch (IOException) { }
            throw new RegimenException($"{Path}: cannot append to the ledger ({e.Message})", ExitCodes.Failure, e);
        }
    }

    /// <summary>
    /// Every complete entry in order. A torn last line (a writer died mid-line) is ignored; a bad complete line is an
    /// error naming it.
    /// </summary>
    public List<LedgerEntry> Read()
    {
        if (!File.Exists(Path)) return new();
        string text;
        using (var stream = OpenLocked(FileMode.Open, FileAccess.Read))
        using (var reader = new StreamReader(stream)) text = reader.ReadToEnd();
        var entries = new List<LedgerEntry>();
        int end = text.LastIndexOf('\n');
        var lines = end < 0 ? Array.Empty<string>() : text[..end].Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                entries.Add(JsonSerializer.Deserialize<LedgerEntry>(lines[i], Json) ?? throw new JsonException("null"));
            }
            catch (JsonException e)
            {
                throw new RegimenException($"{Path}:{i + 1}: not a ledger entry ({e.Message})");
            }
        }
        return entries;
    }

    static void DropTornTail(FileStream stream)
    {
        if (stream.Length == 0) return;
        stream.Seek(-1, SeekOrigin.End);
        if (stream.ReadByte() == '\n') return;
        // Walk back to the last newline; everything after it is the torn line.
        long position = stream.Length - 1;
        var buffer = new byte[4096];
        while (position > 0)
        {
            int count = (int)Math.Min(buffer.Length, position);
            stream.Seek(position - count, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, count);
            int newline = Array.LastIndexOf(buffer, (byte)'\n', count - 1, count);
            if (newline >= 0) { stream.SetLength(position - count + newline + 1); return; }
            position -= count;
        }
        stream.SetLength(0);
    }

    FileStream OpenLocked(FileMode mode, FileAccess access)
    {
        var deadline = DateTime.UtcNow + lockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(Path, mode, access, FileShare.None);
            }
            catch (DirectoryNotFoundException e)
            {
                throw new RegimenException($"{Path}: cannot open the ledger ({e.Message})", ExitCodes.Failure, e);
            }
            catch (IOException) when (DateTime.UtcNow < deadline && (File.Exists(Path) || mode != FileMode.Open))
            {
                Thread.Sleep(Random.Shared.Next(5, 30));   // another writer holds the lock
            }
            catch (UnauthorizedAccessException e)
            {
                throw new RegimenException($"{Path}: cannot open the ledger ({e.Message})", ExitCodes.Failure, e);
            }
        }
    }
}
