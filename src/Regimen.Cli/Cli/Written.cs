using Spectre.Console;

namespace Regimen.Cli;

/// <summary>
/// Names every file a command wrote, so that a user never has to guess where a report went. The line goes to
/// standard error when standard output carries JSON (which must stay parseable), else to standard output.
/// </summary>
public static class Written
{
    public static void Report(string path, bool toStandardError = false)
    {
        var line = $"wrote {Path.GetFullPath(path)}";
        if (toStandardError) Console.Error.WriteLine(line);
        else AnsiConsole.MarkupLine($"wrote [link]{Markup.Escape(Path.GetFullPath(path))}[/]");
    }

    /// <summary>Writes a text report atomically and names it.</summary>
    public static void Text(string path, string text, bool toStandardError = false)
    {
        AtomicFile.WriteAllText(path, text);
        Report(path, toStandardError);
    }
}
