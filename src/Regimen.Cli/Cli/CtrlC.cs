using System.Runtime.InteropServices;
using Regimen.Evolve;
using Regimen.Training;

namespace Regimen.Cli;

/// <summary>
/// Ctrl-C (SIGINT) during a training: the first asks the loop to stop after the current batch, with a recovery
/// checkpoint and status "interrupted"; the second ends the process at once (the default action: exit code 130).
/// </summary>
public sealed class CtrlC : IDisposable
{
    public const string Reason = "interrupted by the user (Ctrl-C)";
    public const string TermReason = "stopped by SIGTERM (an interrupted evolve loop, a cancelled job or a kill)";
    const string TrainingNote = "stopping after the current batch with a recovery checkpoint (press Ctrl-C again " +
                                "to stop at once, losing the epoch in progress)";

    readonly List<PosixSignalRegistration> registrations = new();
    int presses;

    public CtrlC(StopRequest stop, TextWriter message) : this(() => stop.Request(Reason), TrainingNote, message) { }

    /// <summary>
    /// The first Ctrl-C runs <paramref name="first"/> and prints "Ctrl-C: " + <paramref name="note"/>; the second
    /// ends the process.
    /// </summary>
    public CtrlC(Action first, string note, TextWriter message)
    {
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            if (Interlocked.Increment(ref presses) > 1) return;   // not cancelled: the process ends now
            context.Cancel = true;
            first();
            Say(message, $"Ctrl-C: {note}");
        }));
    }

    /// <summary>
    /// A trial process (<c>regimen trial</c>): SIGTERM, what the evolve loop sends on its first Ctrl-C (and Slurm on
    /// scancel), stops after the current batch. Started by the process launcher, it leaves the terminal's Ctrl-C to
    /// its loop, which relays the first as SIGTERM and whose end at the second ends the trial too; started by hand
    /// (or by Slurm), Ctrl-C works as in <c>regimen train</c>.
    /// </summary>
    public static CtrlC ForTrial(StopRequest stop, TextWriter message)
    {
        var ctrlC = Environment.GetEnvironmentVariable(ProcessLauncher.ParentVariable) is null
            ? new CtrlC(stop, message)
            : new CtrlC(() => { }, "the evolve loop stops this trial", message);
        ctrlC.registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Request(TermReason);
            Say(message, "SIGTERM: stopping after the current batch with a recovery checkpoint");
        }));
        return ctrlC;
    }

    static void Say(TextWriter message, string line)
    {
        message.WriteLine(line);
        message.Flush();
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
    }
}
