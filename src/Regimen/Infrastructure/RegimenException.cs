namespace Regimen;

/// <summary>
/// An error in the user's input (a file, a recipe key, a command-line value) with a message that says what and
/// where. The command line prints the message alone (no stack trace) and exits with <see cref="ExitCode"/>.
/// </summary>
public class RegimenException : Exception
{
    public RegimenException(string message, int exitCode = ExitCodes.BadInput, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    public int ExitCode { get; }
}

/// <summary>
/// Process exit codes, distinct so that scripts and the evolve loop can tell failures apart (README, "Exit codes").
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The work failed on the way: a file could not be written, the disk is full, out of memory.</summary>
    public const int Failure = 1;
    /// <summary>The command line, a recipe, a file or a path given is wrong; nothing was done.</summary>
    public const int BadInput = 2;
    public const int DataMissing = 3;
    public const int Diverged = 4;
    /// <summary>
    /// regimen watch stopped the command it ran, on a finding at --stop-on's severity (regimen train --stop-on too).
    /// </summary>
    public const int StoppedOnFinding = 5;
    /// <summary>An unexpected exception: a bug in Regimen (REGIMEN_DEBUG=1 prints its stack trace).</summary>
    public const int InternalError = 70;
    /// <summary>regimen watch could not start the command (not found, not executable), as a shell says.</summary>
    public const int CommandNotFound = 127;
    /// <summary>Stopped by Ctrl-C (SIGINT) or SIGTERM; a training can be resumed.</summary>
    public const int Interrupted = 130;
}
