namespace Regimen.Runs;

/// <summary>
/// The files of one run, under one folder:
/// recipe.yaml, metrics.csv, events.jsonl, summary.json, tensorboard/, checkpoints/last.ckpt and best.ckpt.
/// </summary>
public sealed class RunDirectory
{
    public RunDirectory(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string Name => System.IO.Path.GetFileName(Path);
    public string RecipeFile => Combine("recipe.yaml");
    public string MetricsFile => Combine("metrics.csv");
    public string EventsFile => Combine("events.jsonl");
    public string SummaryFile => Combine("summary.json");
    public string TensorBoardDirectory => Combine("tensorboard");
    public string CheckpointDirectory => Combine("checkpoints");
    public string LastCheckpoint => System.IO.Path.Combine(CheckpointDirectory, "last.ckpt");
    public string BestCheckpoint => System.IO.Path.Combine(CheckpointDirectory, "best.ckpt");

    string Combine(string name) => System.IO.Path.Combine(Path, name);

    public bool LooksLikeRun => File.Exists(RecipeFile) || File.Exists(MetricsFile);

    /// <summary>The default place of a new run: runs/&lt;UTC time&gt;-&lt;recipe&gt;.</summary>
    public static string DefaultPath(string recipeName, string root = "runs") =>
        System.IO.Path.Combine(root, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Sanitize(recipeName)}");

    /// <summary>
    /// A new folder under <paramref name="root"/> named &lt;UTC time&gt;-&lt;recipe&gt;, created now and unique even
    /// when several trainings start within one second (then -2, -3... are appended). mkdir(2) decides between
    /// processes that pick the same name at once: it fails for all but one.
    /// </summary>
    public static RunDirectory CreateDefault(string recipeName, string root = "runs")
    {
        var stem = System.IO.Path.GetFullPath(DefaultPath(recipeName, root));
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(stem)!);
            for (int n = 1; ; n++)
            {
                var candidate = n == 1 ? stem : $"{stem}-{n}";
                if (!CreateExclusive(candidate)) continue;
                Directory.CreateDirectory(System.IO.Path.Combine(candidate, "checkpoints"));
                return new RunDirectory(candidate);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegimenException($"{root}: cannot create the run folder ({e.Message})");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern int mkdir(string path, uint mode);

    /// <summary>Creates <paramref name="path"/>; false when it already exists (as a folder or a file).</summary>
    static bool CreateExclusive(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (Directory.Exists(path) || File.Exists(path)) return false;
            Directory.CreateDirectory(path);
            return true;
        }
        if (mkdir(path, 0b111_111_111) == 0) return true;
        int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        const int EEXIST = 17;
        if (errno == EEXIST) return false;
        throw new IOException($"mkdir {path}: errno {errno}");
    }

    /// <summary>
    /// Refuses, before any work, an --out that <see cref="CreateNew"/> would refuse; creates nothing.
    /// </summary>
    public static void CheckNew(string path, bool force)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full)) throw new RegimenException($"--out {path}: a file of that name exists");
        if (!force && Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
            throw new RegimenException($"--out {path}: the folder exists and is not empty. Use --resume {path} to " +
                $"continue it, or --force to overwrite it.");
    }

    /// <summary>
    /// Creates a fresh run folder; an existing non-empty one is refused unless <paramref name="force"/>.
    /// </summary>
    public static RunDirectory CreateNew(string path, bool force)
    {
        var full = System.IO.Path.GetFullPath(path);
        CheckNew(path, force);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            foreach (var entry in new[] { "recipe.yaml", "metrics.csv", "events.jsonl", "summary.json" })
                File.Delete(System.IO.Path.Combine(full, entry));
            foreach (var dir in new[] { "tensorboard", "checkpoints" })
                if (Directory.Exists(System.IO.Path.Combine(full, dir)))
                    Directory.Delete(System.IO.Path.Combine(full, dir), recursive: true);
        }
        try
        {
            Directory.CreateDirectory(full);
            Directory.CreateDirectory(System.IO.Path.Combine(full, "checkpoints"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegimenException($"--out {path}: cannot create the run folder ({e.Message})");
        }
        return new RunDirectory(full);
    }

    /// <summary>Opens an existing run (for resume, evaluate, analyze).</summary>
    public static RunDirectory Open(string path)
    {
        var run = new RunDirectory(path);
        if (!Directory.Exists(run.Path)) throw new RegimenException($"{path}: no such run folder");
        if (!run.LooksLikeRun) throw new RegimenException($"{path}: not a Regimen run (no recipe.yaml or metrics.csv)");
        run.RemoveTemporaryFiles();
        return run;
    }

    /// <summary>
    /// Removes the temporary files of writes a crash interrupted (AtomicFile's .NAME.PID.tmp); the files they were
    /// replacing are intact.
    /// </summary>
    public void RemoveTemporaryFiles()
    {
        foreach (var dir in new[] { Path, CheckpointDirectory }.Where(Directory.Exists))
            foreach (var temp in Directory.GetFiles(dir, ".*.tmp"))
                File.Delete(temp);
    }

    static string Sanitize(string name) =>
        new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
}
