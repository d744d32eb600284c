using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Regimen;

/// <summary>
/// Sends a POSIX signal to a child process (.NET's Process can only kill): SIGINT or SIGTERM ask a Regimen training
/// to stop after its current batch, as Ctrl-C does.
/// </summary>
public static partial class Signals
{
    public const int Interrupt = 2, Terminate = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> unless the process has ended already.</summary>
    public static void Send(Process process, int signal)
    {
        try { if (!process.HasExited) Kill(process.Id, signal); }
        catch (InvalidOperationException) { }
    }
}
