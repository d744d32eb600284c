using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace Regimen.Cli;

/// <summary>
/// The one place where an exception becomes what a user sees: one line on standard error and an exit code from
/// <see cref="ExitCodes"/> (README, "Exit codes"). No stack trace unless <c>REGIMEN_DEBUG=1</c>.
/// </summary>
public static partial class ErrorHandler
{
    public const string DebugVariable = "REGIMEN_DEBUG";

    static bool Debug => Environment.GetEnvironmentVariable(DebugVariable) is "1" or "true";

    /// <summary>Prints <paramref name="e"/> for a user on <paramref name="error"/> and returns the exit code.</summary>
    public static int Handle(Exception e, IReadOnlyList<string> args, TextWriter error)
    {
        var (message, code) = Describe(e, args);
        error.WriteLine($"error: {message}");
        if (Debug) error.WriteLine(e.ToString());
        else if (code == ExitCodes.InternalError)
            error.WriteLine($"(this is a bug in Regimen: please report it; {DebugVariable}=1 prints the stack trace)");
        error.Flush();
        return code;
    }

    /// <summary>An exception on another thread would end the process with .NET's report: say it our way.</summary>
    public static void HandleUnobserved()
    {
        AppDomain.CurrentDomain.UnhandledException += (_, args) =>
        {
            if (args.ExceptionObject is Exception e)
            {
                Console.Out.Flush();
                Environment.Exit(Handle(e, Array.Empty<string>(), Console.Error));
            }
        };
    }

    public static (string Message, int Code) Describe(Exception e, IReadOnlyList<string> args)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            return Describe(aggregate.InnerExceptions[0], args);
        if (e is System.Reflection.TargetInvocationException { InnerException: { } inner })
            return Describe(inner, args);
        return e switch
        {
            RegimenException r => (r.Message, r.ExitCode),
            CommandParseException p => (Rephrase(p.Message, args), ExitCodes.BadInput),
            CommandAppException c => (Rephrase(c.Message, args), ExitCodes.BadInput),
            OperationCanceledException => ("interrupted", ExitCodes.Interrupted),
            UnauthorizedAccessException or IOException => (e.Message, ExitCodes.Failure),
            OutOfMemoryException or InsufficientExecutionStackException =>
                ($"out of memory ({e.Message}); try a smaller batch size or model", ExitCodes.Failure),
            _ => ($"unexpected {e.GetType().Name}: {FirstLine(e.Message)}", ExitCodes.InternalError),
        };
    }

    static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>Spectre's parse errors, with a did-you-mean for an unknown command.</summary>
    static string Rephrase(string message, IReadOnlyList<string> args)
    {
        if (UnknownCommand().Match(message) is { Success: true } m)
        {
            var word = m.Groups[1].Value;
            int at = args.ToList().IndexOf(word);
            // After a command that takes no arguments ('models extra'), the word is a stray argument.
            if (at > 0 && CommandNames.Leaves.Contains(args[at - 1]))
                return $"{string.Join(" ", args.Take(at))}: unexpected argument '{word}' (it takes none)";
            var hint = DidYouMean.Closest(word, CommandNames.All);
            return $"unknown command '{word}'" + (hint is null ? "" : $" (did you mean '{hint}'?)") +
                   " (see 'regimen --help')";
        }
        if (StrayArgument().Match(message) is { Success: true } s)
            return $"unexpected argument '{s.Groups[1].Value}' (see the command's --help for the arguments it takes)";
        return message.TrimEnd('.');
    }

    [GeneratedRegex("^Unknown command '(.*)'")]
    private static partial Regex UnknownCommand();

    [GeneratedRegex("^Could not match '(.*)' with an argument")]
    private static partial Regex StrayArgument();
}

/// <summary>The command names, for a did-you-mean on an unknown command; leaves take no arguments.</summary>
public static class CommandNames
{
    public static readonly string[] All =
        ["train", "evaluate", "analyze", "watch", "compare", "predict", "export", "evolve", "ledger",
            "recipes", "models",
         "list", "show", "patch", "simulate"];

    public static readonly string[] Leaves = ["models", "list"];
}
