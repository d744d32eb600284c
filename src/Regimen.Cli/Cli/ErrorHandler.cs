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
            CommandAppException c => (Conversion(c, args) ?? Rephrase(c.Message, args), ExitCodes.BadInput),
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
        if (NoValue().Match(message) is { Success: true } v)
            return $"--{v.Groups[1].Value}: needs a value (see the command's --help)";
        if (StrayArgument().Match(message) is { Success: true } s)
            return $"unexpected argument '{s.Groups[1].Value}' (see the command's --help for the arguments it takes)";
        return message.TrimEnd('.');
    }

    /// <summary>
    /// Spectre's "Failed to convert 'x' to Nullable`1" for an option's value that is not a number: the option and the
    /// kind of number it takes instead.
    /// </summary>
    static string? Conversion(CommandAppException e, IReadOnlyList<string> args)
    {
        if (ConvertFailed().Match(e.Message) is not { Success: true } m) return null;
        var value = m.Groups[1].Value;
        var type = e.InnerException is { } inner && ValidValueFor().Match(inner.Message) is { Success: true } t
            ? t.Groups[1].Value : m.Groups[2].Value;
        var kind = type switch
        {
            "Int32" or "Int64" or "Int16" => "a whole number",
            "Double" or "Single" or "Decimal" => "a number",
            _ => $"a {type}",
        };
        int at = Enumerable.Range(0, args.Count).FirstOrDefault(i => i > 0 && args[i] == value &&
            args[i - 1].StartsWith('-'), -1);
        var option = at > 0 ? args[at - 1]
            : args.FirstOrDefault(a => a.StartsWith('-') && a.EndsWith($"={value}", StringComparison.Ordinal))?
                .Split('=')[0];
        return $"{option ?? "an option"}: expected {kind}, got '{value}'";
    }

    [GeneratedRegex(@"^Failed to convert '(.*)' to ([\w`]+)")]
    private static partial Regex ConvertFailed();

    [GeneratedRegex(@"is not a valid value for (\w+)")]
    private static partial Regex ValidValueFor();

    [GeneratedRegex("^Option '(.*)' is defined but no value has been provided")]
    private static partial Regex NoValue();

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
