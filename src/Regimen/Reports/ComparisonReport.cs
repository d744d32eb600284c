using System.Text;
using Regimen.Analysis;
using Spectre.Console;

namespace Regimen.Reports;

/// <summary>A comparison in the terminal and as Markdown, in seed 002's order: configuration, milestones, final numbers, verdict.</summary>
public static class ComparisonReport
{
    static string F(Comparison c, double? v) => v is null ? "-" : c.Metric == "val_loss" ? $"{v:0.####}" : $"{v * 100:0.00} %";
    static string P(double? v) => v is null ? "-" : $"{v * 100:+0.00;-0.00} %";

    public static void Write(IAnsiConsole console, Comparison c)
    {
        var names = c.Runs.Select(r => Markup.Escape(r.Run)).ToArray();
        if (c.ConfigDiff.Count > 0)
        {
            var config = new Table().Title("Configuration (only what differs)").AddColumn("key");
            foreach (var n in names) config.AddColumn(n);
            foreach (var (k, values) in c.ConfigDiff) config.AddRow(new[] { Markup.Escape(k) }.Concat(values.Select(v => Markup.Escape(v ?? "-"))).ToArray());
            console.Write(config);
        }
        var table = new Table().Title($"{c.Metric} at milestones").AddColumn("epoch");
        foreach (var n in names) table.AddColumn(n);
        if (c.Runs.Count == 2) table.AddColumn("difference");
        foreach (var n in names) table.AddColumn($"{n} events");
        foreach (var row in c.Milestones)
        {
            var cells = new List<string> { row.Epoch.ToString() };
            cells.AddRange(row.Values.Select(v => F(c, v)));
            if (c.Runs.Count == 2) cells.Add(row.Values[0] is { } a && row.Values[1] is { } b ? (c.Metric == "val_loss" ? $"{a - b:+0.####;-0.####}" : P(a - b)) : "-");
            cells.AddRange(row.Events.Select(e => Markup.Escape(e)));
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
        var summary = new Table().Title("Final performance").AddColumns("run", "final", "best (epoch)", "final train acc", "train-val gap", "volatility", "schedule changes");
        foreach (var r in c.Runs)
            summary.AddRow(Markup.Escape(r.Run), F(c, r.Final), $"{F(c, r.Best)} ({r.BestEpoch})", r.FinalTrainAccuracy is { } t ? $"{t * 100:0.00} %" : "-",
                P(r.FinalGap), r.Volatility is { } v ? $"{v:0.0000}" : "-", r.ScheduleChanges.ToString());
        console.Write(summary);
        var verdict = new Table().Title("Verdict").AddColumns("criterion", "winner", "margin");
        foreach (var k in c.Criteria) verdict.AddRow(Markup.Escape(k.Name), Markup.Escape(k.Winner), Markup.Escape(k.Margin));
        console.Write(verdict);
        console.MarkupLine($"[bold]{Markup.Escape(c.Verdict)}[/]");
    }

    public static string Markdown(Comparison c)
    {
        var sb = new StringBuilder("# Comparison\n\n");
        var names = c.Runs.Select(r => r.Run).ToList();
        if (c.ConfigDiff.Count > 0)
        {
            sb.AppendLine("## Configuration (only what differs)").AppendLine();
            sb.AppendLine($"| key | {string.Join(" | ", names)} |").AppendLine($"|---|{string.Concat(names.Select(_ => "---|"))}");
            foreach (var (k, values) in c.ConfigDiff) sb.AppendLine($"| {k} | {string.Join(" | ", values.Select(v => v ?? "-"))} |");
            sb.AppendLine();
        }
        sb.AppendLine($"## {c.Metric} at milestones").AppendLine();
        sb.AppendLine($"| epoch | {string.Join(" | ", names)} | {string.Join(" | ", names.Select(n => n + " events"))} |")
          .AppendLine($"|---|{string.Concat(names.Select(_ => "---|---|"))}");
        foreach (var row in c.Milestones)
            sb.AppendLine($"| {row.Epoch} | {string.Join(" | ", row.Values.Select(v => F(c, v)))} | {string.Join(" | ", row.Events)} |");
        sb.AppendLine().AppendLine("## Final performance").AppendLine();
        sb.AppendLine("| run | final | best (epoch) | final train acc | gap | volatility | schedule changes |").AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in c.Runs)
            sb.AppendLine($"| {r.Run} | {F(c, r.Final)} | {F(c, r.Best)} ({r.BestEpoch}) | {(r.FinalTrainAccuracy is { } t ? $"{t * 100:0.00} %" : "-")} | {P(r.FinalGap)} | {r.Volatility:0.0000} | {r.ScheduleChanges} |");
        sb.AppendLine().AppendLine("## Verdict").AppendLine().AppendLine("| criterion | winner | margin |").AppendLine("|---|---|---|");
        foreach (var k in c.Criteria) sb.AppendLine($"| {k.Name} | {k.Winner} | {k.Margin} |");
        sb.AppendLine().AppendLine($"**{c.Verdict}**");
        return sb.ToString();
    }
}
