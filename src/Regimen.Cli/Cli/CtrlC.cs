using System.Runtime.InteropServices;
using Regimen.Training;

namespace Regimen.Cli;

/// <summary>
/// Ctrl-C (SIGINT) during a training: the first asks the loop to stop after the current batch, with a recovery
/// checkpoint and status "interrupted"; the second ends the process at once (the default action: exit code 130).
/// </summary>
public sealed class CtrlC : IDisposable
{
    public const string Reason = "interrupted by the user (Ctrl-C)";

    readonly PosixSignalRegistration registration;
    int presses;

    public CtrlC(StopRequest stop, TextWriter message)
    {
        registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            if (Interlocked.Increment(ref presses) > 1) return;   // not cancelled: the process ends now
            context.Cancel = true;
            stop.Request(Reason);
            message.WriteLine("Ctrl-C: stopping after the current batch with a recovery checkpoint " +
                              "(press Ctrl-C again to stop at once, losing the epoch in progress)");
            message.Flush();
        });
    }

    public void Dispose() => registration.Dispose();
}
