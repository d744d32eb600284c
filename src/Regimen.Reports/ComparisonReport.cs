using System.Net;
using System.Text;
using Regimen.Analysis;
using Spectre.Console;
using Monitor = Regimen.Training.Monitor;   // not System.Threading.Monitor

namespace Regimen.Reports;

/// <summary>A table of a report: what the terminal, Markdown and HTML renderings all show.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows,
    string? Id = null);

/// <summary>
/// A comparison in the terminal, as Markdown and as HTML, in seed 002's order: configuration, milestones, final
/// numbers, verdict. The tables are built once (<see cref="Tables"/>), so every rendering has every table.
/// </summary>
public static class ComparisonReport
{
    static string F(Comparison c, double? v) =>
        v is null ? "-" : !Monitor.Named(c.Monitor).IsFraction ? $"{v:0.####}" : Units.Percent(v.Value);
    static string P(double? v) => v is null ? "-" : Units.Points(v.Value);

    public static IReadOnlyList<ReportTable> Tables(Comparison c)
    {
        var names = c.Runs.Select(r => r.Run).ToList();
        var tables = new List<ReportTable>();
        if (c.ConfigDiff.Count > 0)
            tables.Add(new ReportTable("Configuration (only what differs)", ["key", .. names],
                c.ConfigDiff.Select(kv => (IReadOnlyList<string>)[kv.Key, .. kv.Value.Select(v => v ?? "-")])
                    .ToList()));

        bool two = c.Runs.Count == 2;
        var columns = new List<string> { "epoch" };
        columns.AddRange(names);
        if (two) columns.Add(!Monitor.Named(c.Monitor).IsFraction ? "difference" : "difference (pt)");
        columns.AddRange(names.Select(n => $"{n} events"));
        var rows = new List<IReadOnlyList<string>>();
        foreach (var row in c.Milestones)
        {
            var cells = new List<string> { row.Epoch.ToString() };
            cells.AddRange(row.Values.Select(v => F(c, v)));
            if (two)
                cells.Add(row.Values[0] is { } a && row.Values[1] is { } b
                    ? (!Monitor.Named(c.Monitor).IsFraction ? $"{a - b:+0.####;-0.####;0}" : Units.Points(a - b))
                    : "-");
            cells.AddRange(row.Events);
            rows.Add(cells);
        }
        tables.Add(new ReportTable($"{c.Monitor} at milestones", columns, rows));

        tables.Add(new ReportTable("Final performance",
            ["run", "final", "best (epoch)", "final train acc", "train-val gap", "volatility", "schedule changes"],
            c.Runs.Select(r => (IReadOnlyList<string>)[r.Run, F(c, r.Final), $"{F(c, r.Best)} ({r.BestEpoch})",
                r.FinalTrainAccuracy is { } t ? Units.Percent(t) : "-", P(r.FinalGap),
                r.Volatility is { } v ? $"{v:0.0000}" : "-", r.ScheduleChanges.ToString()]).ToList()));

        if (c.Runs.Any(r => r.Test is not null))
            tables.Add(new ReportTable("Test split (scored once at the end; not part of the verdict)",
                ["run", "images", "final (epoch)", "best on validation (epoch)", "selected on"],
                c.Runs.Select(r => (IReadOnlyList<string>)(r.Test is not { } t ? [r.Run, "-", "-", "-", "-"]
                    : [r.Run, t.Images.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        t.Final is { } f ? $"{f.Describe()} ({f.Epoch})" : "-",
                        t.Best is { } b ? $"{b.Describe()} ({b.Epoch})" : "-",
                        t.Optimistic ? "test (optimistic)" : t.SelectedOn])).ToList(), Id: "test"));

        var verdict = c.Criteria.Select(k => (IReadOnlyList<string>)[k.Name, k.Winner, k.Margin]).ToList();
        verdict.AddRange(c.NotCounted.Select(n => (IReadOnlyList<string>)[n, "not counted", "-"]));
        tables.Add(new ReportTable("Verdict", ["criterion", "winner", "margin"], verdict, Id: "verdict"));
        return tables;
    }

    public static void Write(IAnsiConsole console, Comparison c)
    {
        foreach (var t in Tables(c))
        {
            var table = new Table().Title(Markup.Escape(t.Title));
            foreach (var column in t.Columns) table.AddColumn(Markup.Escape(column));
            foreach (var row in t.Rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            console.Write(table);
        }
        console.MarkupLine($"[bold]{Markup.Escape(c.Verdict)}[/]");
    }

    public static string Markdown(Comparison c)
    {
        var sb = new StringBuilder("# Comparison\n\n");
        foreach (var t in Tables(c))
        {
            sb.AppendLine($"## {t.Title}").AppendLine();
            sb.AppendLine($"| {string.Join(" | ", t.Columns.Select(Cell))} |");
            sb.AppendLine($"|{string.Concat(t.Columns.Select(_ => "---|"))}");
            foreach (var row in t.Rows) sb.AppendLine($"| {string.Join(" | ", row.Select(Cell))} |");
            sb.AppendLine();
        }
        sb.AppendLine($"**{c.Verdict}**");
        return sb.ToString();
    }

    /// <summary>The tables as HTML, for <see cref="HtmlReport.Comparison"/>.</summary>
    public static string Html(Comparison c)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        foreach (var t in Tables(c))
        {
            sb.Append($"<h2>{E(t.Title)}</h2><table{(t.Id is null ? "" : $" id=\"{E(t.Id)}\"")}><tr>");
            sb.Append(string.Concat(t.Columns.Select(h => $"<th>{E(h)}</th>"))).Append("</tr>");
            foreach (var row in t.Rows)
                sb.Append("<tr>" + string.Concat(row.Select(v => $"<td>{E(v)}</td>")) + "</tr>");
            sb.Append("</table>");
        }
        return sb.Append($"<p><b>{E(c.Verdict)}</b></p>").ToString();
    }

    static string Cell(string s) => s.Replace("|", "\\|");
}
