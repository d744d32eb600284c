using System.Globalization;
using System.Text;
using Regimen.Evolve;
using ScottPlot;
using Spectre.Console;

namespace Regimen.Reports;

/// <summary>
/// The ledger shown: a table of trials with their lineage (the best marked, the gap to the target), the lineage
/// as Markdown (why each child was made, what it changed, how it scored, what was decided), and a chart of the
/// score per trial with the best so far.
/// </summary>
public static class LineageReport
{
    public static void WriteTable(IAnsiConsole console, LedgerState state, EvolveSettings settings, string workspace)
    {
        var table = new Table()
            .Title($"{Markup.Escape(workspace)}: {state.Trials.Count} trial(s), {settings.Monitor} " +
            $"({settings.Score}, {Replicas(settings)})")
            .AddColumns("trial", "parent", "change", "status", settings.Monitor, "replicas", "decision", "wall");
        foreach (var t in state.Trials)
        {
            bool best = state.Best?.Id == t.Id;
            table.AddRow(
                (best ? "[bold green]★ " : "") + Markup.Escape(t.Id) + (best ? "[/]" : ""),
                Markup.Escape(t.Parent ?? "-"),
                Markup.Escape(Change(t)),
                Markup.Escape(t.Status),
                t.Score is { } s ? $"{Value(s, settings)} ± {Value(t.Spread ?? 0, settings)}" : "-",
                Markup.Escape(string.Join(" ", t.Scores.Select(x => Value(x, settings)))),
                Markup.Escape(Decision(t)),
                t.WallSeconds is { } w ? $"{w:0} s" : "-");
        }
        console.Write(table);
        if (state.Best is { Score: { } bestScore } b)
            console.MarkupLine($"best: [bold]{Markup.Escape(b.Id)}[/] {Value(bestScore, settings)}" +
                TargetGap(bestScore, settings) +
                               $"; lineage {Markup.Escape(string.Join(" → ", Lineage(state, b)))}");
        if (state.Stopped is { } stop) console.MarkupLine($"stopped: {Markup.Escape(stop.Reason ?? "")}");
        else if (state.Trials.Any(t => !t.Done))
            console.MarkupLine("running or interrupted: 'regimen evolve' on this workspace continues it");
    }

    public static string Markdown(LedgerState state, EvolveSettings settings, string workspace, string? chart = null)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Evolve: {Path.GetFileName(workspace)}").AppendLine();
        md.AppendLine($"Monitor: `{settings.Monitor}` ({settings.Score} value), each trial {Replicas(settings)}; a " +
            $"child is promoted when its gain over the best exceeds the standard error of the difference" +
                      (settings.MinGain > 0 ? $" and {Value(settings.MinGain, settings)}" : "") + ".").AppendLine();
        if (state.Best is { Score: { } bestScore } best)
            md.AppendLine($"Best: **{best.Id}** with {Value(bestScore, settings)} ± " +
                $"{Value(best.Spread ?? 0, settings)}{TargetGap(bestScore, settings)}; lineage " +
                $"{string.Join(" → ", Lineage(state, best))}.").AppendLine();
        if (state.Stopped is { } stop) md.AppendLine($"Stopped: {stop.Reason}.").AppendLine();
        if (chart is not null) md.AppendLine($"![score per trial]({chart})").AppendLine();
        md.AppendLine($"| trial | parent | change | {settings.Monitor} | replicas | decision |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var t in state.Trials)
        {
            var score = t.Score is { } s ? $"{Value(s, settings)} ± {Value(t.Spread ?? 0, settings)}" : t.Status;
            var replicas = string.Join(" ", t.Scores.Select(x => Value(x, settings)));
            md.AppendLine($"| {(state.Best?.Id == t.Id ? "**" + t.Id + "** (best)" : t.Id)} | {t.Parent ?? "-"} | " +
                          $"{Cell(Change(t))} | {score} | {replicas} | {Cell(Decision(t))} |");
        }
        md.AppendLine();
        foreach (var t in state.Trials)
        {
            md.AppendLine($"## {t.Id}{(t.Parent is null ? " (baseline)" : $", child of {t.Parent}")}").AppendLine();
            if (t.Title is not null && t.Parent is not null) md.AppendLine($"**{t.Title}** (`{t.Recommendation}`)")
                .AppendLine();
            if (t.Findings.Count > 0)
            {
                md.AppendLine("Why: the analysis found (trial/replica: finding)");
                foreach (var f in t.Findings) md.AppendLine($"- {f}");
                md.AppendLine();
            }
            if (t.Changes.Count > 0)
            {
                md.AppendLine("Changes:").AppendLine().AppendLine("```yaml");
                foreach (var c in t.Changes) md.AppendLine($"{c.Key}: {c.To}   # was {c.From ?? "(default)"}");
                md.AppendLine("```").AppendLine();
            }
            md.AppendLine(t.Status switch
            {
                "finished" =>
                    $"Result: {Value(t.Score!.Value, settings)} ± {Value(t.Spread ?? 0, settings)} " +
                    $"({string.Join(", ", t.Scores.Select(x => Value(x, settings)))}), {t.WallSeconds:0} s.",
                "failed" => $"Failed: {t.FailReason}",
                "interrupted" => $"Interrupted: {t.InterruptReason}; started again, the loop continues it.",
                _ => "Not finished yet.",
            }).AppendLine();
            if (t.Decision is { } d)
                md.AppendLine($"Decision: {(d.Promoted == true ? "**promoted**" : "kept out")}: {d.Reason}.")
                    .AppendLine();
        }
        return md.ToString();
    }

    /// <summary>Each finished trial's score with its spread, the best so far as a step line, and the target.</summary>
    public static void Chart(LedgerState state, EvolveSettings settings, string path, int width = 900,
        int height = 500) => ScoreFigure(state, settings, width, height).SavePng(path);

    internal static ChartFigure ScoreFigure(LedgerState state, EvolveSettings settings, int width = 900,
        int height = 500)
    {
        var plot = new Plot();
        double scale = settings.HigherIsBetter ? 100 : 1;
        var scored = state.Trials.Select((t, i) => (t, i)).Where(x => x.t.Score is not null).ToList();
        if (scored.Count > 0)
        {
            double[] xs = scored.Select(x => (double)x.i).ToArray();
            double[] ys = scored.Select(x => x.t.Score!.Value * scale).ToArray();
            var errors = plot.Add.ErrorBar(xs, ys, scored.Select(x => (x.t.Spread ?? 0) * scale).ToArray());
            errors.LegendText = "trial (± replica spread)";
            var points = plot.Add.ScatterPoints(xs, ys);
            points.MarkerSize = 8;
            // The best so far, trial by trial, in the order of decisions.
            var bestX = new List<double>();
            var bestY = new List<double>();
            double? current = null;
            for (int i = 0; i < state.Trials.Count; i++)
            {
                if (state.Trials[i].Promoted) current = state.Trials[i].Score;
                if (current is { } c) { bestX.Add(i); bestY.Add(c * scale); }
            }
            var best = plot.Add.Scatter(bestX.ToArray(), bestY.ToArray());
            best.ConnectStyle = ConnectStyle.StepHorizontal;
            best.LegendText = "best so far";
            best.MarkerSize = 0;
            // The best is a marker of its own, named in the legend: labels on the points would cover the data.
            if (state.Best is { Score: { } bestScore } b)
            {
                var mark = plot.Add.Marker(state.Trials.IndexOf(b), bestScore * scale);
                mark.Size = 14;
                mark.Shape = MarkerShape.OpenCircle;
                mark.LegendText = $"best: {b.Id}";
            }
        }
        if (settings.Target is { } target)
        {
            var line = plot.Add.HorizontalLine(target * scale);
            line.LinePattern = LinePattern.Dotted;
            line.LegendText = $"target {Value(target, settings)}";
        }
        // Every trial's tick, its id only where there is room for it (the ids are as wide as the longest).
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        int longest = state.Trials.Count == 0 ? 1 : state.Trials.Max(t => t.Id.Length);
        int every = Math.Max(1, (int)Math.Ceiling(state.Trials.Count * (longest * 8.0 + 10) / (width - 120)));
        for (int i = 0; i < state.Trials.Count; i++)
            if (i % every == 0) ticks.AddMajor(i, state.Trials[i].Id);
            else ticks.AddMinor(i);
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Title($"{settings.Monitor} per trial ({settings.Score}, mean of {Replicas(settings)})");
        plot.XLabel("trial");
        plot.YLabel(settings.HigherIsBetter ? $"{settings.Monitor} (%)" : settings.Monitor);
        ChartLayout.LegendBelow(plot, width);
        plot.Axes.AutoScale();
        if (state.Trials.Count == 1) plot.Axes.SetLimitsX(-1, 1);
        var limits = plot.Axes.GetLimits();
        if (settings.Target is { } t && (t * scale < limits.Bottom || t * scale > limits.Top))
        {
            double low = Math.Min(limits.Bottom, t * scale), high = Math.Max(limits.Top, t * scale);
            plot.Axes.SetLimitsY(low - (high - low) * 0.05, high + (high - low) * 0.05);
        }
        else ChartLayout.ConstantAxis(plot, plot.Axes.Left);
        return new ChartFigure(width, height, plot);
    }

    public static List<string> Lineage(LedgerState state, Trial trial)
    {
        var chain = new List<string>();
        for (var t = trial; t is not null; t = state.Find(t.Parent)) chain.Insert(0, t.Id);
        return chain;
    }

    static string Change(Trial t) => t.Parent is null ? "baseline"
        : t.Changes.Count == 0 ? t.Title ?? ""
            : string.Join(", ", t.Changes.Select(c => $"{c.Key} {c.From ?? "-"}→{c.To}"));

    static string Decision(Trial t) => t.Decision is not { } d ? (t.Done ? "pending" : "")
        : t.IsBaseline ? "baseline" : (d.Promoted == true ? "promoted: " : "kept out: ") + d.Reason;

    static string Replicas(EvolveSettings s) => s.Folds > 1 ? $"{s.Folds} folds" : $"{s.Seeds} seed(s)";

    static string TargetGap(double score, EvolveSettings s) => s.Target is not { } target ? ""
        : $", {Value(Math.Abs(target - score), s)} " +
            $"{((s.HigherIsBetter ? score >= target : score <= target) ? "beyond" : "short of")} the target " +
            $"{Value(target, s)}";

    static string Value(double v, EvolveSettings s) => s.HigherIsBetter ? Units.Percent(v)
        : v.ToString("0.####", CultureInfo.InvariantCulture);

    static string Cell(string s) => s.Replace("|", "\\|");
}
