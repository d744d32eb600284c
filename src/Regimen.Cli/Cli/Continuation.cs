using Regimen.Evolve;
using Spectre.Console;

namespace Regimen.Cli;

/// <summary>The exact command that continues what was interrupted, printed to be copied.</summary>
public static class Continuation
{
    /// <summary>Prints "continue with:" and this regimen's command line with <paramref name="arguments"/>.</summary>
    public static void Print(IEnumerable<string> arguments)
    {
        var command = RegimenCommand.Current();
        AnsiConsole.MarkupLine("continue with:");
        Console.Out.WriteLine("  " + command.ShellLine(command.Prefix.Concat(arguments)));   // one line, never wrapped
    }
}
