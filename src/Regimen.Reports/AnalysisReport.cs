using System.Text;
using Regimen.Analysis;
using Regimen.Runs;
using Spectre.Console;
using Monitor = Regimen.Training.Monitor;   // not System.Threading.Monitor

namespace Regimen.Reports;

/// <summary>
/// An analysis in the terminal and as Markdown: the run at a glance, the curves, findings with their numbers,
/// recommendations with their patches.
/// </summary>
public static class AnalysisReport
{
    public static string Chart(TrainingLog log)
    {
        var series = new List<AsciiChart.Series>();
        if (log.Has(e => e.TrainAccuracy)) series.Add(new("train acc", 'T', log.Series(e => e.TrainAccuracy)));
        if (log.Has(e => e.ValAccuracy)) series.Add(new("val acc", 'V', log.Series(e => e.ValAccuracy)));
        if (series.Count == 0)
        {
            if (log.Has(e => e.TrainLoss)) series.Add(new("train loss", 't', log.Series(e => e.TrainLoss)));
            if (log.Has(e => e.ValLoss)) series.Add(new("val loss", 'v', log.Series(e => e.ValLoss)));
        }
        var events = log.Events.Where(e => e.Kind is "schedule" or "early_stop" && e.Key != "phase")
            .GroupBy(e => e.Epoch)
                .Select(g =>
                (g.Key,
                string.Join(", ", g.Select(e => e.Kind == "early_stop" ? "early stop" : $"{e.Key} {e.From}→{e.To}"))))
                .ToList();
        return AsciiChart.Render(series, events, format: series.Count > 0 && series[0].Name.Contains("acc")
            ? "0.0%" : "0.000");
    }

    public static void Write(IAnsiConsole console, RunAnalysis a, IReadOnlyList<TrainingLog> logs)
    {
        console.Write(new Rule($"[bold]{Markup.Escape(a.Run)}[/] ({Markup.Escape(a.Format)}, {a.Epochs} epochs)")
            .LeftJustified());
        console.MarkupLine(Markup.Escape(Headline(a)));
        if (a.Test is { } test) console.MarkupLine($"[bold]{Markup.Escape(test.Describe())}[/]");
        if (ReadBy(a) is { } readBy) console.MarkupLine($"[grey]{Markup.Escape(readBy)}[/]");
        foreach (var log in logs.Take(logs.Count > 1 ? 0 : 1)) console.WriteLine(Chart(log));
        if (a.Findings.Count == 0) console.MarkupLine("[green]No problem found[/]: none of the checks fired.");
        var table = new Table().AddColumns("severity", "kind", "epochs", "finding", "confidence");
        foreach (var f in a.Findings)
            table.AddRow(Color(f.Severity), Markup.Escape(f.Kind), f.FirstEpoch is null ? ""
                : $"{f.FirstEpoch}-{f.LastEpoch}",
                Markup.Escape((f.Run != a.Run && f.Run.Length > 0 ? $"[{f.Run}] " : "") + f.Summary),
                    $"{f.Confidence:0.00}");
        if (a.Findings.Count > 0) console.Write(table);
        foreach (var r in a.Recommendations)
        {
            console.MarkupLine($"[bold]→ {Markup.Escape(r.Title)}[/] [grey]({Markup.Escape(r.Id)}; for " +
                $"{Markup.Escape(string.Join(", ", r.Findings))})[/]");
            console.MarkupLine($"  {Markup.Escape(r.Why)}");
            if (r.Patch.Count > 0)
                console.MarkupLine(
                    $"  patch: [cyan]{Markup.Escape(string.Join("  ", r.Patch.Select(p => $"{p.Key}={p.Value}")))}[/]");
            foreach (var (tool, advice) in r.Foreign.Where(x => x.Key == a.Format))
                console.MarkupLine($"  {Markup.Escape(tool)}: {Markup.Escape(advice)}");
            console.MarkupLine(
                $"  [grey]source: {Markup.Escape(r.Source)}; confirmed if {Markup.Escape(r.Confirm)}[/]");
        }
        foreach (var u in a.Unchecked) console.MarkupLine($"[grey]not checked: {Markup.Escape(u)}[/]");
        foreach (var n in a.Notes) console.MarkupLine($"[grey]note: {Markup.Escape(n)}[/]");
    }

    /// <summary>
    /// Which reader read the log and where each role came from: "read by csv (yolo): val_acc ← metrics/accuracy_top1
    /// ...".
    /// </summary>
    public static string? ReadBy(RunAnalysis a) =>
        a.Reader.Length == 0 ? null
        : $"read by {a.Reader}{(a.Format != a.Reader ? $" ({a.Format})" : "")}: " +
            $"{(a.Columns.Count == 0 ? "no column mapped" : string.Join(", ", a.Columns))}" +
          (a.NotFound.Count > 0 ? $"; not in the log: {string.Join(", ", a.NotFound)}" : "");

    static string Headline(RunAnalysis a) =>
        a.BestValue is null ? $"metric {a.Monitor}" :
        $"{a.Monitor}: best {Fmt(a.Monitor, a.BestValue.Value)} at epoch {a.BestEpoch}, final " +
            $"{Fmt(a.Monitor, a.FinalValue!.Value)}" +
        (a.FinalGap is { } g ? $", final train-validation gap {Units.Points(g)}" : "");

    static string Fmt(string metric, double v) =>
        Monitor.Named(metric).Format(v);

    /// <summary>A finding's evidence as "key value, ...": 4 significant digits, plain decimals; what cannot be
    /// measured (yet: a noise from too few epochs, a gap without training accuracy) is named, not printed as NaN.
    /// </summary>
    public static string EvidenceText(Finding f)
    {
        var known = f.Evidence.Where(e => !double.IsNaN(e.Value))
            .Select(e => $"{e.Key} {Units.Significant(e.Value, 4)}");
        var unknown = f.Evidence.Where(e => double.IsNaN(e.Value)).Select(e => e.Key).ToList();
        return string.Join(", ", unknown.Count == 0 ? known
            : known.Append($"not measurable: {string.Join(", ", unknown)}"));
    }

    static string Color(string severity) => severity switch
    {
        "critical" => "[red]critical[/]",
        "warning" => "[yellow]warning[/]",
        _ => "[grey]info[/]",
    };

    public static string Markdown(RunAnalysis a, IReadOnlyList<TrainingLog> logs)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Analysis: {a.Run}").AppendLine();
        sb.AppendLine($"Source `{a.Source}` ({a.Format}, {a.Epochs} epochs). {Headline(a)}.").AppendLine();
        if (a.Test is { } test) sb.AppendLine($"**{test.Describe()}**").AppendLine();
        if (ReadBy(a) is { } readBy) sb.AppendLine(readBy.Replace("|", "\\|")).AppendLine();
        if (logs.Count == 1) sb.AppendLine("```").Append(Chart(logs[0])).AppendLine("```").AppendLine();
        sb.AppendLine("## Findings").AppendLine();
        if (a.Findings.Count == 0) sb.AppendLine("No problem found: none of the checks fired.").AppendLine();
        else
        {
            sb.AppendLine("| severity | kind | epochs | finding | evidence | confidence |")
                .AppendLine("|---|---|---|---|---|---|");
            foreach (var f in a.Findings)
                sb.AppendLine($"| {f.Severity} | `{f.Kind}` | " +
                    $"{(f.FirstEpoch is null ? "" : $"{f.FirstEpoch}-{f.LastEpoch}")} | " +
                    $"{(f.Run != a.Run && f.Run.Length > 0 ? $"[{f.Run}] " : "")}{f.Summary.Replace("|", "\\|")} | " +
                              $"{EvidenceText(f)} | " +
                                  $"{f.Confidence:0.00} |");
            sb.AppendLine();
        }
        if (a.Recommendations.Count > 0)
        {
            sb.AppendLine("## Recommendations").AppendLine();
            foreach (var r in a.Recommendations)
            {
                sb.AppendLine($"### {r.Title}").AppendLine();
                sb.AppendLine($"{r.Why} (answers: {string.Join(", ", r.Findings.Select(k => $"`{k}`"))})").AppendLine();
                if (r.Patch.Count > 0)
                {
                    sb.AppendLine("Recipe patch (`regimen recipes patch RECIPE --set ...`):").AppendLine()
                        .AppendLine("```yaml");
                    foreach (var (k, v) in r.Patch) sb.AppendLine($"{k}: {v}");
                    sb.AppendLine("```").AppendLine();
                }
                foreach (var (tool, advice) in r.Foreign) sb.AppendLine($"- {tool}: {advice}");
                sb.AppendLine($"- source: {r.Source}").AppendLine($"- confirmed if: {r.Confirm}").AppendLine();
            }
        }
        if (a.Unchecked.Count > 0)
        {
            sb.AppendLine("## Not checked").AppendLine();
            foreach (var u in a.Unchecked) sb.AppendLine($"- {u}");
            sb.AppendLine();
        }
        if (a.Notes.Count > 0)
        {
            sb.AppendLine("## Notes on the log").AppendLine();
            foreach (var n in a.Notes) sb.AppendLine($"- {n}");
        }
        return sb.ToString();
    }
}
