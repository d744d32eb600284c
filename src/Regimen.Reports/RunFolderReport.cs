using System.Text;
using Regimen.Runs.Readers;
using Spectre.Console;

namespace Regimen.Reports;

/// <summary>What <c>regimen analyze</c> found in a folder of runs, before each run's analysis: the runs (each
/// analyzed once, under the name its section carries) and what it left out, with why.</summary>
public static class RunFolderReport
{
    /// <summary>The lines of the listing (plain text: the terminal escapes them, Markdown lists them).</summary>
    public static IReadOnlyList<string> Lines(RunFolder folder)
    {
        var lines = new List<string>
        {
            $"{folder.Path}: a folder of runs, {Count(folder.Runs.Count, "run")} found" +
            (folder.Skipped.Count > 0 ? $", {Count(folder.Skipped.Count, "path")} skipped" : ""),
        };
        foreach (var r in folder.Runs)
            lines.Add($"  {r.Name}: {r.What}, " + (r.Logs.Count == 1 ? Count(r.Logs[0].Epochs.Count, "epoch")
                : $"{r.Logs.Count} runs of {r.Logs.Min(l => l.Epochs.Count)}-{r.Logs.Max(l => l.Epochs.Count)} " +
                  "epochs"));
        foreach (var s in folder.Skipped) lines.Add($"  skipped {s.Path}: {s.Why}");
        return lines;
    }

    public static void Write(IAnsiConsole console, RunFolder folder)
    {
        var lines = Lines(folder);
        console.MarkupLine($"[bold]{Markup.Escape(lines[0])}[/]");
        foreach (var line in lines.Skip(1))
            console.MarkupLine(line.TrimStart().StartsWith("skipped ", StringComparison.Ordinal)
                ? $"[grey]{Markup.Escape(line)}[/]" : Markup.Escape(line));
    }

    public static string Markdown(RunFolder folder)
    {
        var lines = Lines(folder);
        var sb = new StringBuilder();
        sb.AppendLine($"# Runs in {folder.Path}").AppendLine();
        sb.AppendLine(lines[0].Replace("|", "\\|", StringComparison.Ordinal)).AppendLine();
        foreach (var line in lines.Skip(1)) sb.AppendLine($"- {line.Trim()}");
        return sb.AppendLine().ToString();
    }

    static string Count(int n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";
}
