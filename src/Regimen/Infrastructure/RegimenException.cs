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

/// <summary>Process exit codes, distinct so that scripts and the evolve loop can tell failures apart.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    public const int DataMissing = 3;
    public const int Diverged = 4;
    public const int Interrupted = 130;
}
