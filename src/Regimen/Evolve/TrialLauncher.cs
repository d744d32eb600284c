namespace Regimen.Evolve;

/// <summary>One replica of a trial to train: what a launcher hands to a process, a cluster task or a thread.</summary>
public sealed record TrialJob(string Trial, int Replica, string LogFile);

/// <summary>
/// How a job ended: exit code 0 is success; 130 is interrupted (stopped after a batch with a recovery checkpoint, or
/// never started: <see cref="Started"/> false), to be continued, not a failure; otherwise the error says why (the last
/// lines of its log).
/// </summary>
public sealed record JobResult(TrialJob Job, int ExitCode, string? Error, double WallSeconds, bool Started = true)
{
    public bool Interrupted => ExitCode == ExitCodes.Interrupted;

    /// <summary>A job the launcher did not start because the loop was interrupted first.</summary>
    public static JobResult NotStarted(TrialJob job) =>
        new(job, ExitCodes.Interrupted, "not started (the loop was interrupted)", 0, Started: false);
}

/// <summary>
/// Runs trial jobs somewhere: separate processes on this machine (<see cref="ProcessLauncher"/>), a Slurm job
/// array (<see cref="SlurmLauncher"/>), or anything else that can run <c>regimen trial WORKSPACE TRIAL --replica K</c>
/// against the same workspace folder. A job must be safe to run again: it resumes or skips finished work.
/// </summary>
public interface ITrialLauncher
{
    string Name { get; }
    /// <summary>
    /// Runs the jobs, at most <paramref name="parallel"/> at once, and returns when all have ended.
    /// <paramref name="cancellation"/> asks for a graceful stop: the running jobs stop after their current batch
    /// (exit 130), no job starts after it.
    /// </summary>
    IReadOnlyList<JobResult> Run(Workspace workspace, IReadOnlyList<TrialJob> jobs, int parallel,
        CancellationToken cancellation);
}

/// <summary>How to start the regimen command line: the executable and the arguments before the command's own.</summary>
public sealed record RegimenCommand(string Executable, IReadOnlyList<string> Prefix)
{
    /// <summary>This process's own command line (dotnet Regimen.Cli.dll, or the installed tool's executable).</summary>
    public static RegimenCommand Current()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && !string.IsNullOrEmpty(entry)
            ? new RegimenCommand(process, new[] { entry })
            : new RegimenCommand(process, Array.Empty<string>());
    }

    public IEnumerable<string> TrialArguments(Workspace workspace, TrialJob job) =>
        Prefix.Concat(new[] { "trial", workspace.Path, job.Trial, "--replica", job.Replica.ToString() });

    /// <summary>The command as one shell line (for job scripts).</summary>
    public string ShellLine(IEnumerable<string> arguments) =>
        string.Join(' ', new[] { Executable }.Concat(arguments).Select(Quote));

    public static string Quote(string s) => s.Length > 0 &&
        s.All(c => char.IsLetterOrDigit(c) || "/._-=:,+".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}

static class LogTail
{
    /// <summary>The last lines of a job's log, for a failure's reason.</summary>
    public static string Read(string path, int lines = 3)
    {
        if (!File.Exists(path)) return "(no log)";
        try
        {
            var tail = File.ReadLines(path).Where(l => l.Trim().Length > 0).TakeLast(lines);
            return string.Join(" | ", tail.Select(l => l.Trim()));
        }
        catch (IOException e) { return $"(log unreadable: {e.Message})"; }
    }
}
