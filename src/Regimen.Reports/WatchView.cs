using System.Globalization;
using Regimen.Analysis;
using Regimen.Analysis.Live;
using Regimen.Runs;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Regimen.Reports;

/// <summary>How findings and epochs read as text, in plain lines and in the live display alike.</summary>
public static class WatchText
{
    /// <summary>
    /// The epoch's line; with the log, also the value at this epoch of each series it keeps by its own name (the
    /// --monitor of watch when it is not a role: eval_macro_f1 0.81).
    /// </summary>
    public static string Epoch(LogEpoch e, TrainingLog? log = null)
    {
        var parts = new List<string>();
        static string Acc(double v) => (v * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %";
        static string Loss(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        if (e.TrainLoss is not null || e.TrainAccuracy is not null)
            parts.Add("train" + (e.TrainLoss is { } tl ? $" loss {Loss(tl)}" : "") + (e.TrainAccuracy is { } ta
                ? $" acc {Acc(ta)}" : ""));
        if (e.ValLoss is not null || e.ValAccuracy is not null)
            parts.Add("val" + (e.ValLoss is { } vl ? $" loss {Loss(vl)}" : "") + (e.ValAccuracy is { } va
                ? $" acc {Acc(va)}" : ""));
        if (e.LearningRate is { } lr) parts.Add("lr " + Units.Significant(lr, 3));
        foreach (var (name, points) in log?.OtherSeries ?? new())
            if (points.Count > 0 && points[^1].Epoch == e.Epoch)
                parts.Add($"{name} {Training.Monitor.Named(name).Format(points[^1].Value)}");
        return $"epoch {e.Epoch}: " + (parts.Count == 0 ? "(no metrics)" : string.Join(" | ", parts));
    }

    public static string Announcement(Announcement a) =>
        $"epoch {a.Epoch}: {a.Finding.Severity} {a.Finding.Kind}" + (a.PreviousSeverity is { } p ? $" (was {p})" : "") +
        (a.Finding.FirstEpoch is { } first && first != a.Epoch ? $" since epoch {first}" : "")
            + $": {a.Finding.Summary}" + Evidence(a.Finding);

    public static string Evidence(Finding f) =>
        f.Evidence.Count == 0 ? "" : " [" + AnalysisReport.EvidenceText(f) + "]";

    /// <summary>The end: every finding with the epoch it was announced, the watcher's own, and what no longer
    /// holds.</summary>
    public static IEnumerable<string> Summary(LiveSummary s, string status)
    {
        var a = s.Analysis;
        yield return $"watch ended ({status}) after {a.Epochs} epochs of {a.Run} ({a.Format})" +
                     (a.BestValue is { } best
                         ? $": best {a.Monitor} {Value(a.Monitor, best)} at epoch {a.BestEpoch}, final " +
                             $"{Value(a.Monitor, a.FinalValue ?? double.NaN)}" : "");
        if (s.Findings.Count == 0 && s.Watch.Count == 0) yield return "  no finding: none of the checks fired";
        foreach (var line in s.Findings)
            yield return $"  {line.Finding.Severity} {line.Finding.Kind} " + (line.AtEnd ? "(judged at the end)"
                : $"(announced at epoch {line.Epoch}" +
                (line.Announced is { PreviousSeverity: not null } rose && rose.Epoch != line.Epoch
                    ? $", {rose.Finding.Severity} from epoch {rose.Epoch})" : ")")) +
                $": {line.Finding.Summary}";
        foreach (var w in s.Watch)
            yield return $"  {w.Finding.Severity} {w.Finding.Kind} (at epoch {w.Epoch}): {w.Finding.Summary}";
        foreach (var g in s.NoLongerTrue)
            yield return $"  no longer true at the end: {g.Finding.Kind} ({g.Finding.Severity}, announced at epoch " +
                $"{g.Epoch})";
    }

    /// <summary>An accuracy in %, a loss (or any falling series) as a plain number: the monitor's direction.</summary>
    static string Value(string metric, double v) => Training.Monitor.Named(metric).Format(v);
}

/// <summary>Plain lines, for output that is not a terminal (CI, pipes, files), or under --plain.</summary>
public sealed class PlainWatchView : IWatchView
{
    readonly TextWriter output;
    readonly object gate;

    // gate: Held while writing, shared with whatever else writes to the same stream (a wrapped command's output).
    public PlainWatchView(TextWriter output, object? gate = null)
    {
        this.output = output;
        this.gate = gate ?? new object();
    }

    public void Note(string text) => Write($"watch: {text}");
    public void Epoch(TrainingLog log, LogEpoch epoch) => Write($"watch: {WatchText.Epoch(epoch, log)}");
    public void Announce(Announcement a) =>
        Write($"watch: {(a.Finding.Severity == "info" ? "" : "!! ")}{WatchText.Announcement(a)}");

    void Write(string line)
    {
        lock (gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}

/// <summary>
/// The live display in an interactive terminal: the latest epoch's metrics, a small chart of the training and
/// validation curves (the last 100 epochs), and the findings so far with their epochs.
/// </summary>
public sealed class LiveWatchView : IWatchView
{
    const int ChartEpochs = 100;
    readonly LiveDisplayContext context;
    readonly List<Announcement> findings = new();
    readonly List<string> notes = new();
    TrainingLog? log;
    LogEpoch? latest;

    LiveWatchView(LiveDisplayContext context) => this.context = context;

    public static T Run<T>(IAnsiConsole console, Func<LiveWatchView, T> body)
    {
        T result = default!;
        console.Live(new Text("watch: starting")).AutoClear(false).Start(ctx => result = body(new LiveWatchView(ctx)));
        return result;
    }

    public void Note(string text) { notes.Add(text); if (notes.Count > 3) notes.RemoveAt(0); Refresh(); }
    public void Epoch(TrainingLog log, LogEpoch epoch) { this.log = log; latest = epoch; Refresh(); }
    public void Announce(Announcement a) { findings.Add(a); Refresh(); }

    void Refresh()
    {
        var rows = new List<IRenderable>();
        if (log is not null)
            rows.Add(new Markup($"[bold]{Markup.Escape(log.Name)}[/] ({Markup.Escape(log.Format)}, " +
                $"{log.Epochs.Count} epochs" +
                                (log.PlannedEpochs is { } p ? $" of {p}" : "") + ")"));
        if (latest is not null) rows.Add(new Markup(Markup.Escape(WatchText.Epoch(latest, log))));
        if (log is not null && log.Epochs.Count > 1)
        {
            var recent = log with { Epochs = log.Epochs.Skip(Math.Max(0, log.Epochs.Count - ChartEpochs)).ToList() };
            rows.Add(new Text(AnalysisReport.Chart(recent)));
        }
        if (findings.Count == 0) rows.Add(new Markup("[green]no finding so far[/]"));
        foreach (var a in findings.TakeLast(8))
            rows.Add(new Markup($"[{Color(a.Finding.Severity)}]{Markup.Escape(WatchText.Announcement(a))}[/]"));
        foreach (var n in notes) rows.Add(new Markup($"[grey]{Markup.Escape(n)}[/]"));
        context.UpdateTarget(new Rows(rows));
    }

    static string Color(string severity) => severity switch
    {
        Severity.Critical => "red",
        Severity.Warning => "yellow",
        _ => "grey"
    };
}

/// <summary>
/// Only the findings, for displays that show the epochs themselves (regimen train's progress): a coloured line
/// in a terminal, a plain one elsewhere.
/// </summary>
public sealed class FindingLinesView : IWatchView
{
    readonly IAnsiConsole? console;
    readonly TextWriter? output;

    public FindingLinesView(IAnsiConsole console) => this.console = console;
    public FindingLinesView(TextWriter output) => this.output = output;

    public void Note(string text) => Line("grey", $"watch: {text}");
    public void Epoch(TrainingLog log, LogEpoch epoch) { }
    public void Announce(Announcement a) =>
        Line(a.Finding.Severity switch { Severity.Critical => "red", Severity.Warning => "yellow", _ => "grey" },
            $"finding: {WatchText.Announcement(a)}");

    void Line(string color, string text)
    {
        if (console is not null) console.MarkupLine($"[{color}]{Markup.Escape(text)}[/]");
        else
        {
            output!.WriteLine(text);
            output.Flush();
        }
    }
}
