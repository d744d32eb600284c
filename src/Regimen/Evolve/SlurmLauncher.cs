using System.Diagnostics;
using System.Text;

namespace Regimen.Evolve;

/// <summary>
/// Runs a batch of jobs as one Slurm job array: array task i runs job i (<c>regimen trial ... --replica K</c>)
/// with its output in the job's log and its exit code in a file beside it, "%parallel" caps the tasks running at
/// once. The workspace must be on a file system the nodes share. Waits until squeue no longer lists the array; a
/// task with no exit-code file was cancelled, timed out or lost its node, and fails with its log's last lines.
/// See docs/scale-out.md.
/// </summary>
public sealed class SlurmLauncher(RegimenCommand command, IReadOnlyList<string> sbatchOptions,
    TimeSpan? pollInterval = null) : ITrialLauncher
{
    readonly TimeSpan poll = pollInterval ?? TimeSpan.FromSeconds(10);

    public string Name => "slurm";

    public static string ExitFile(TrialJob job) => Path.ChangeExtension(job.LogFile, ".exit");

    /// <summary>The sbatch script for a batch of jobs.</summary>
    public string Script(Workspace workspace, IReadOnlyList<TrialJob> jobs, int parallel)
    {
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine($"#SBATCH --job-name=regimen-{Path.GetFileName(workspace.Path)}");
        s.AppendLine($"#SBATCH --array=0-{jobs.Count - 1}%{parallel}");
        s.AppendLine($"#SBATCH --output={Path.Combine(workspace.Path, "slurm", "%A_%a.out")}");
        foreach (var option in sbatchOptions) s.AppendLine($"#SBATCH {option}");
        s.AppendLine("case \"$SLURM_ARRAY_TASK_ID\" in");
        for (int i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            var exit = RegimenCommand.Quote(ExitFile(job));
            s.AppendLine($"  {i}) {command.ShellLine(command.TrialArguments(workspace, job))} >> " +
                $"{RegimenCommand.Quote(job.LogFile)} 2>&1");
            s.AppendLine($"     code=$?; echo $code > {exit}.tmp && mv {exit}.tmp {exit}; exit $code ;;");
        }
        s.AppendLine("  *) echo \"no job for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;");
        s.AppendLine("esac");
        return s.ToString();
    }

    public IReadOnlyList<JobResult> Run(Workspace workspace, IReadOnlyList<TrialJob> jobs, int parallel,
        CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var directory = Path.Combine(workspace.Path, "slurm");
        Directory.CreateDirectory(directory);
        foreach (var job in jobs)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(job.LogFile)!);
            File.Delete(ExitFile(job));
        }
        // A loop killed and started again first waits for the array it had submitted: its tasks may still be
        // training, and a second task on the same replica would race them. Finished replicas are then skipped.
        var current = Path.Combine(directory, "current-job");
        if (File.Exists(current) && File.ReadAllText(current).Trim() is { Length: > 0 } previous)
            if (Wait(previous, cancellation)) return jobs.Select(JobResult.NotStarted).ToList();
        var scriptFile = Path.Combine(directory, $"batch-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}.sh");
        AtomicFile.WriteAllText(scriptFile, Script(workspace, jobs, parallel));
        var jobId = Slurm("sbatch", "--parsable", scriptFile).Split(';')[0].Trim();
        if (jobId.Length == 0) throw new RegimenException($"sbatch {scriptFile}: printed no job id", ExitCodes.Failure);
        AtomicFile.WriteAllText(current, jobId);
        bool cancelled = Wait(jobId, cancellation);
        double wall = clock.Elapsed.TotalSeconds;
        return jobs.Select(job =>
        {
            var exit = ExitFile(job);
            if (!File.Exists(exit))
                return cancelled
                    ? new JobResult(job, ExitCodes.Interrupted, $"cancelled by the loop: {LogTail.Read(job.LogFile)}",
                        wall)
                    : new JobResult(job, -1, $"Slurm task ended without an exit code (cancelled, timed out or node " +
                        $"lost): {LogTail.Read(job.LogFile)}", wall);
            int code = int.TryParse(File.ReadAllText(exit).Trim(), out var c) ? c : -1;
            if (code != 0 && cancelled) code = ExitCodes.Interrupted;
            return new JobResult(job, code, code == 0 ? null : $"exit code {code}: {LogTail.Read(job.LogFile)}", wall);
        }).ToList();
    }

    /// <summary>
    /// Waits until squeue no longer lists the job. Cancelled, it scancels the job (SIGTERM to its tasks: each stops
    /// after its current batch with a recovery checkpoint) and waits for it to leave the queue; true then.
    /// </summary>
    bool Wait(string jobId, CancellationToken cancellation)
    {
        bool cancelled = false;
        // squeue fails for a job id the controller has forgotten: that job has long ended.
        while (TrySlurm("squeue", "--noheader", "--jobs", jobId) is { } listed && listed.Trim().Length > 0)
        {
            if (cancelled) Thread.Sleep(poll);
            else if (cancellation.WaitHandle.WaitOne(poll))
            {
                TrySlurm("scancel", jobId);
                cancelled = true;
            }
        }
        return cancelled;
    }

    static string? TrySlurm(string tool, params string[] arguments)
    {
        try { return Slurm(tool, arguments); }
        catch (RegimenException) { return null; }
    }

    static string Slurm(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new RegimenException($"{tool} {string.Join(' ', arguments)}: exit code {process.ExitCode}: " +
                    $"{error.Trim()}", ExitCodes.Failure);
            return output.Result;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RegimenException($"--launcher slurm: cannot run '{tool}' ({e.Message}); is Slurm installed on " +
                $"this machine?", ExitCodes.Failure, e);
        }
    }
}
