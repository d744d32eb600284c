using Regimen.Runs.Readers;

namespace Regimen.Runs.Follow;

/// <summary>What a poll of a followed log found: the log as it stands, and whether it started over.</summary>
public sealed record FollowUpdate(TrainingLog? Log, bool Restarted, string? Note, bool Finished);

/// <summary>
/// Follows a log file or a run folder as another process writes it, in any format <see cref="LogReader"/> reads.
/// A partial last line is left for the next poll (never read as a short number); a file truncated or replaced
/// (log rotation, a restarted run) is read anew from its start; a folder or file that does not exist yet is waited
/// for. A Regimen run folder (whose files are replaced atomically) is finished when its summary says so.
/// Each poll that sees a change reads the log again (the analysis of each new epoch is what stays bounded).
/// </summary>
public sealed class LogFollower : IDisposable
{
    /// <summary>Files beside a log that readers take its hyperparameters from (timm, Lightning).</summary>
    static readonly string[] HyperparameterFiles = { "args.yaml", "hparams.yaml" };

    const int TailCheck = 256;

    readonly string path;
    readonly string snapshotDir = Path.Combine(Path.GetTempPath(),
        $"regimen-watch-{Environment.ProcessId}-{Guid.NewGuid():N}");
    // the log file followed (in a folder that is not a Regimen run, the one the reader chose)
    string? file;
    long consumed;                // bytes read up to the last complete line
    byte[] tail = Array.Empty<byte>();
    (long Length, DateTime Written) seen = (-1, default);
    string? lastError;
    bool pendingRestart;
    bool waitingNoted;

    public LogFollower(string path) => this.path = path;

    /// <summary>Looks at the log once: null when nothing changed that can be read.</summary>
    public FollowUpdate? Poll()
    {
        try
        {
            if (Directory.Exists(path) && IsRunFolder(path)) return PollRunFolder();
            if (file is null && !ResolveFile()) return Waiting();
            return PollFile();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error($"{path}: {e.Message}");
        }
    }

    static bool IsRunFolder(string dir) =>
        File.Exists(Path.Combine(dir, "metrics.csv")) && (File.Exists(Path.Combine(dir, "recipe.yaml"))
            || File.Exists(Path.Combine(dir, "summary.json")));

    FollowUpdate? Waiting()
    {
        if (waitingNoted) return null;
        waitingNoted = true;
        return new FollowUpdate(null, false, $"waiting for a training log at {path}", false);
    }

    /// <summary>A file path as it is; in a folder, the log file the reader would read (once there is one).</summary>
    bool ResolveFile()
    {
        if (File.Exists(path)) { file = path; return true; }
        if (!Directory.Exists(path)) return false;
        try
        {
            var logs = LogReader.Read(path);
            if (logs.Count == 0 || !File.Exists(logs[^1].Source)) return false;
            file = logs[^1].Source;
            return true;
        }
        catch (RegimenException) { return false; }   // no log in the folder yet
    }

    FollowUpdate? PollRunFolder()
    {
        var stamp = Stamp(Path.Combine(path, "metrics.csv"), Path.Combine(path, "events.jsonl"), Path.Combine(path,
            "summary.json"));
        if (stamp == seen) return null;
        seen = stamp;
        return Read(() =>
        {
            var logs = LogReader.Read(path);
            var status = RunSummary.Read(Path.Combine(path, "summary.json"))?.Status;
            return (logs[^1], status is not null and not "running");
        });
    }

    static (long, DateTime) Stamp(params string[] files)
    {
        long length = 0;
        DateTime latest = default;
        foreach (var f in files.Where(File.Exists))
        {
            var info = new FileInfo(f);
            length += info.Length;
            if (info.LastWriteTimeUtc > latest) latest = info.LastWriteTimeUtc;
        }
        return (length, latest);
    }

    FollowUpdate? PollFile()
    {
        if (!File.Exists(file)) return Waiting();
        var info = new FileInfo(file!);
        if ((info.Length, info.LastWriteTimeUtc) == seen) return null;
        seen = (info.Length, info.LastWriteTimeUtc);
        var bytes = File.ReadAllBytes(file!);
        // A restart seen on a read that failed (a file truncated to its header) is still said with the next good read.
        bool restarted = bytes.Length < consumed || !Matches(bytes) || pendingRestart;
        if (restarted) (consumed, pendingRestart) = (0, true);
        // Line-oriented logs are read up to their last complete line; whole documents (JSON, TensorBoard) as they are,
        // and a read that fails on a document still being written waits for the next change.
        bool lines = !IsDocument(file!);
        int end = lines ? Array.LastIndexOf(bytes, (byte)'\n') + 1 : bytes.Length;
        if (end == 0 || (end == consumed && !restarted)) return null;
        var update = Read(() =>
        {
            Directory.CreateDirectory(snapshotDir);
            var copy = Path.Combine(snapshotDir, Path.GetFileName(file!));
            using (var s = File.Create(copy)) s.Write(bytes, 0, end);
            foreach (var sibling in HyperparameterFiles)
            {
                var source = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file!))!, sibling);
                if (File.Exists(source)) File.Copy(source, Path.Combine(snapshotDir, sibling), overwrite: true);
            }
            IReadOnlyList<TrainingLog> logs;
            try { logs = LogReader.Read(copy); }
            catch (RegimenException e)
            {
                throw new RegimenException(e.Message.Replace(copy, file,
                StringComparison.Ordinal));
            }
            return (logs[^1] with { Source = file!, Name = Name(logs[^1].Name) }, false);
        });
        if (update?.Log is null) return update;
        consumed = end;
        pendingRestart = false;
        tail = bytes[Math.Max(0, end - TailCheck)..end];
        return update with
        {
            Restarted = restarted,
            Note = restarted
            ? $"{file} was truncated or replaced: reading it from the start" : update.Note
        };
    }

    string Name(string read) => read.StartsWith("regimen-watch-", StringComparison.Ordinal)
        ? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file!))) ?? read : read;

    /// <summary>Whether the bytes read before are still where they were: else the file was replaced.</summary>
    bool Matches(byte[] bytes) =>
        consumed == 0 || bytes.AsSpan((int)(consumed - tail.Length), tail.Length).SequenceEqual(tail);

    static bool IsDocument(string f)
    {
        var name = Path.GetFileName(f);
        return name.Contains("tfevents", StringComparison.Ordinal) || (name.EndsWith(".json",
            StringComparison.OrdinalIgnoreCase) && !LooksLikeJsonLines(f));
    }

    static bool LooksLikeJsonLines(string f)
    {
        using var reader = new StreamReader(f);
        var first = reader.ReadLine();
        return first is not null && first.TrimStart().StartsWith('{') && first.TrimEnd().EndsWith('}')
            && !reader.EndOfStream;
    }

    FollowUpdate? Read(Func<(TrainingLog Log, bool Finished)> read)
    {
        try
        {
            var (log, finished) = read();
            lastError = null;
            return new FollowUpdate(log, false, null, finished);
        }
        catch (RegimenException e)
        {
            // Said once per distinct error; the next change is read again (the writer may be mid-write).
            return Error(e.Message);
        }
    }

    FollowUpdate? Error(string message)
    {
        if (message == lastError) return null;
        lastError = message;
        return new FollowUpdate(null, false, $"cannot read the log yet: {message}", false);
    }

    public void Dispose()
    {
        try { if (Directory.Exists(snapshotDir)) Directory.Delete(snapshotDir, recursive: true); }
        catch (IOException) { }
    }
}
