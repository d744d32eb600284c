using System.Diagnostics;

namespace Regimen.Tests;

/// <summary>
/// How the tests start the command line as a child process. A process started in the background by a
/// non-interactive shell (as CI may start `dotnet test`) inherits SIGINT ignored, and .NET keeps an inherited
/// ignore: the child would never see the Ctrl-C the tests send. perl resets both signals to their default before
/// it execs the command, so every descendant sees SIGINT as a user's terminal would deliver it.
/// </summary>
static class CliProcess
{
    const string ResetSignalsAndExec =
        "$SIG{INT} = 'DEFAULT'; $SIG{TERM} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec: $!\"";

    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("perl")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(ResetSignalsAndExec);
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Regimen.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }
}
