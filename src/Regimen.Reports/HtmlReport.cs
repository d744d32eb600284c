using System.Net;
using System.Text;
using Regimen.Analysis;
using Regimen.Runs;
using Monitor = Regimen.Training.Monitor;   // not System.Threading.Monitor

namespace Regimen.Reports;

/// <summary>
/// One self-contained HTML page (charts embedded as PNG data, no script, nothing fetched): the run at a glance,
/// charts, findings with their evidence, recommendations with their patches; or a comparison.
/// </summary>
public static class HtmlReport
{
    const string Style = """
        body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; display: block; max-width: 100%; overflow-x: auto; }
        pre { overflow-x: auto; }
        td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f0f0f0; } .critical { color: #b00; font-weight: bold; } .warning { color: #a60; }
        .info { color: #666; }
        code, pre { background: #f6f6f6; } img { max-width: 100%; } .patch { font-family: monospace; white-space: pre; }
        """;

    static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    static string Image(Action<string> render, string alt)
    {
        var path = Path.Combine(Path.GetTempPath(), $"regimen-chart-{Guid.NewGuid():N}.png");
        try
        {
            render(path);
            return $"<img alt=\"{E(alt)}\" " +
                $"src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\">";
        }
        finally { File.Delete(path); }
    }

    /// <summary>One page for several analyses (each with the logs it covers), a section each.</summary>
    public static string Analyses(IReadOnlyList<(RunAnalysis Analysis, IReadOnlyList<TrainingLog> Logs)> items) =>
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Analysis: " +
            $"{E(string.Join(", ", items.Select(i => i.Analysis.Run)))}</title><style>{Style}</style></head><body>" +
        string.Concat(items.Select(i => Section(i.Analysis, i.Logs))) + "</body></html>";

    public static string Analysis(RunAnalysis a, IReadOnlyList<TrainingLog> logs) => Analyses(new[] { (a, logs) });

    static string Section(RunAnalysis a, IReadOnlyList<TrainingLog> logs)
    {
        var sb = new StringBuilder("<section>");
        sb.Append($"<h1>Analysis: {E(a.Run)}</h1><p>Source <code>{E(a.Source)}</code> ({E(a.Format)}, {a.Epochs} " +
            $"epochs). ");
        if (a.BestValue is { } best)
            sb.Append(E($"{a.Monitor}: best {Fmt(a.Monitor, best)} at epoch {a.BestEpoch}, final " +
                $"{Fmt(a.Monitor, a.FinalValue ?? double.NaN)}" +
                        (a.FinalGap is { } g ? $", final train-validation gap {Units.Points(g)}" : "")));
        sb.Append("</p>");
        if (a.Test is { } test) sb.Append($"<p id=\"test\"><b>{E(test.Describe())}</b></p>");
        sb.Append(Image(p => PngCharts.Curves(logs, p), "accuracy and loss curves"));
        if (logs.Any(l => l.Has(e => e.TrainAccuracy) && l.Has(e => e.ValAccuracy)))
            sb.Append(Image(p => PngCharts.Gap(logs, p), "train-validation gap"));
        if (logs.Any(l => l.Has(e => e.LearningRate)))
            sb.Append(Image(p => PngCharts.Schedule(logs, p), "learning rate and resolution"));
        if (logs.Any(l => l.Fold is not null)) sb.Append(Image(p => PngCharts.Folds(logs, p, a.Monitor), "folds"));
        sb.Append("<h2>Findings</h2>");
        if (a.Findings.Count == 0) sb.Append("<p id=\"healthy\">No problem found: none of the checks fired.</p>");
        else
        {
            sb.Append("<table id=\"findings\"><tr><th>severity</th><th>kind</th><th>epochs</th><th>finding</th><th>" +
                "evidence</th><th>confidence</th></tr>");
            foreach (var f in a.Findings)
                sb.Append($"<tr><td class=\"{E(f.Severity)}\">{E(f.Severity)}</td><td><code>{E(f.Kind)}</code></td>" +
                    $"<td>{(f.FirstEpoch is null ? "" : $"{f.FirstEpoch}-{f.LastEpoch}")}</td>" +
                          $"<td>{E((f.Run != a.Run && f.Run.Length > 0 ? $"[{f.Run}] " : "") + f.Summary)}</td><td>" +
                              $"{E(AnalysisReport.EvidenceText(f))}</td><td>" +
                              $"{f.Confidence:0.00}</td></tr>");
            sb.Append("</table>");
        }
        if (a.Recommendations.Count > 0)
        {
            sb.Append("<h2>Recommendations</h2>");
            foreach (var r in a.Recommendations)
            {
                sb.Append($"<div class=\"recommendation\" id=\"{E(r.Id)}\"><h3>{E(r.Title)}</h3><p>{E(r.Why)} <i>" +
                    $"(answers: {E(string.Join(", ", r.Findings))})</i></p>");
                if (r.Patch.Count > 0)
                    sb.Append($"<p>Recipe patch:</p><pre class=\"patch\">" +
                        $"{E(string.Join("\n", r.Patch.Select(p => $"{p.Key}: {p.Value}")))}</pre>");
                sb.Append("<ul>");
                foreach (var (tool, advice) in r.Foreign) sb.Append($"<li>{E(tool)}: {E(advice)}</li>");
                sb.Append($"<li>source: {E(r.Source)}</li><li>confirmed if: {E(r.Confirm)}</li></ul></div>");
            }
        }
        if (a.Unchecked.Count > 0)
            sb.Append("<h2>Not checked</h2><ul>" + string.Concat(a.Unchecked.Select(u => $"<li>{E(u)}</li>")) +
                "</ul>");
        if (a.Notes.Count > 0)
            sb.Append("<h2>Notes on the log</h2><ul>" + string.Concat(a.Notes.Select(u => $"<li>{E(u)}</li>")) +
                "</ul>");
        return sb.Append("</section>").ToString();
    }

    public static string Comparison(Comparison c, IReadOnlyList<TrainingLog> logs)
    {
        var sb =
            new StringBuilder($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Comparison</title><style>" +
            $"{Style}</style></head><body><h1>Comparison</h1>");
        sb.Append(Image(p => PngCharts.Curves(logs, p), "curves")).Append(Image(p => PngCharts.Gap(logs, p), "gap"));
        sb.Append(ComparisonReport.Html(c)).Append("</body></html>");
        return sb.ToString();
    }

    static string Fmt(string metric, double v) =>
        Monitor.Named(metric).Format(v);
}
