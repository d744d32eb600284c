using System.Diagnostics;

namespace Regimen.Evolve;

/// <summary>
/// Runs each job as a separate <c>regimen trial</c> process on this machine, its output in the job's log file.
/// Cancelled (the loop's first Ctrl-C), it sends each running job SIGTERM, which stops its training after the current
/// batch with a recovery checkpoint, waits for it, and starts no other job.
/// </summary>
public sealed class ProcessLauncher(RegimenCommand command) : ITrialLauncher
{
    /// <summary>Set in a job's environment to this process's id: the job ends itself when its parent is gone.</summary>
    public const string ParentVariable = "REGIMEN_PARENT_PID";

    public string Name => "process";

    public IReadOnlyList<JobResult> Run(Workspace workspace, IReadOnlyList<TrialJob> jobs, int parallel,
        CancellationToken cancellation)
    {
        var results = new JobResult[jobs.Count];
        // No CancellationToken here: a cancelled loop still waits for its running jobs to stop and returns them.
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallel };
        Parallel.For(0, jobs.Count, options, i => results[i] = RunOne(workspace, jobs[i], cancellation));
        return results;
    }

    JobResult RunOne(Workspace workspace, TrialJob job, CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested) return JobResult.NotStarted(job);
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo(command.Executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in command.TrialArguments(workspace, job)) start.ArgumentList.Add(a);
        start.Environment[ParentVariable] = Environment.ProcessId.ToString();
        Directory.CreateDirectory(Path.GetDirectoryName(job.LogFile)!);
        using var log = new StreamWriter(job.LogFile, append: true) { AutoFlush = true };
        var gate = new object();
        void Write(string? line) { if (line != null) lock (gate) log.WriteLine(line); }
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new JobResult(job, -1, $"cannot start {command.Executable}: {e.Message}", 0);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellation.Register(() => Signals.Send(process, Signals.Terminate)))
            process.WaitForExit();
        int code = process.ExitCode;
        // Asked to stop, a job that had not yet set up its SIGTERM handler ends by the signal's default action (143):
        // interrupted too.
        if (code != 0 && cancellation.IsCancellationRequested) code = ExitCodes.Interrupted;
        return new JobResult(job, code, code == 0 ? null : $"exit code {process.ExitCode}: " +
            $"{LogTail.Read(job.LogFile)}", clock.Elapsed.TotalSeconds);
    }
}
