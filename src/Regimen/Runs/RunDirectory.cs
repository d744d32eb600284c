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

    /// <summary>Creates a fresh run folder; an existing non-empty one is refused unless <paramref name="force"/>.</summary>
    public static RunDirectory CreateNew(string path, bool force)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full)) throw new RegimenException($"--out {path}: a file of that name exists");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            if (!force)
                throw new RegimenException($"--out {path}: the folder exists and is not empty. Use --resume {path} to continue it, or --force to overwrite it.");
            foreach (var entry in new[] { "recipe.yaml", "metrics.csv", "events.jsonl", "summary.json" })
                File.Delete(System.IO.Path.Combine(full, entry));
            foreach (var dir in new[] { "tensorboard", "checkpoints" })
                if (Directory.Exists(System.IO.Path.Combine(full, dir))) Directory.Delete(System.IO.Path.Combine(full, dir), recursive: true);
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

    /// <summary>Removes the temporary files of writes a crash interrupted (AtomicFile's .NAME.PID.tmp); the files they were replacing are intact.</summary>
    public void RemoveTemporaryFiles()
    {
        foreach (var dir in new[] { Path, CheckpointDirectory }.Where(Directory.Exists))
            foreach (var temp in Directory.GetFiles(dir, ".*.tmp"))
                File.Delete(temp);
    }

    static string Sanitize(string name) =>
        new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
}
