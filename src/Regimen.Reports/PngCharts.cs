using Regimen.Runs;
using Regimen.Training;
using ScottPlot;
using Monitor = Regimen.Training.Monitor;   // not System.Threading.Monitor

namespace Regimen.Reports;

/// <summary>
/// PNG charts of runs (ScottPlot): accuracy and loss curves with phase bands and schedule-event markers, and the
/// train-validation gap.
/// </summary>
public static class PngCharts
{
    /// <summary>
    /// Writes accuracy (left) and loss (right) side by side for each run, events marked, phases shaded.
    /// </summary>
    public static void Curves(IReadOnlyList<TrainingLog> logs, string path, int width = 1400, int height = 600)
    {
        // Formats without accuracy (Hugging Face, seed 004's log-loss folds) get the loss chart alone.
        bool hasAccuracy = logs.Any(l => l.Has(e => e.TrainAccuracy) || l.Has(e => e.ValAccuracy));
        var multi = new Multiplot();
        multi.AddPlots(hasAccuracy ? 2 : 1);
        multi.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var accuracy = hasAccuracy ? multi.GetPlot(0) : new Plot();
        var loss = multi.GetPlot(hasAccuracy ? 1 : 0);
        foreach (var log in logs)
        {
            string prefix = logs.Count > 1 ? log.Name + " " : "";
            Line(accuracy, log.Series(e => e.TrainAccuracy), prefix + "train acc", LinePattern.Dashed);
            Line(accuracy, log.Series(e => e.ValAccuracy), prefix + "val acc", LinePattern.Solid);
            Line(loss, log.Series(e => e.TrainLoss), prefix + "train loss", LinePattern.Dashed);
            Line(loss, log.Series(e => e.ValLoss), prefix + "val loss", LinePattern.Solid);
        }
        if (logs.Count == 1)
            foreach (var plot in new[] { accuracy, loss })
            {
                Phases(plot, logs[0]);
                Events(plot, logs[0]);
            }
        accuracy.Title("Accuracy");
        loss.Title("Loss");
        foreach (var plot in new[] { accuracy, loss })
        {
            plot.XLabel("epoch");
            plot.ShowLegend(Alignment.LowerRight);
        }
        loss.Legend.Alignment = Alignment.UpperRight;
        multi.SavePng(path, hasAccuracy ? width : width / 2, height);
    }

    /// <summary>The train-validation accuracy gap over epochs for each run, with the overfitting threshold.</summary>
    public static void Gap(IReadOnlyList<TrainingLog> logs, string path, double threshold = 0.05, int width = 900,
        int height = 500)
    {
        var plot = new Plot();
        foreach (var log in logs)
        {
            var points = log.Epochs.Where(e => e.TrainAccuracy is not null && e.ValAccuracy is not null)
                .Select(e => (e.Epoch, Value: (e.TrainAccuracy!.Value - e.ValAccuracy!.Value) * 100)).ToList();
            Line(plot, points, log.Name, LinePattern.Solid);
        }
        var line = plot.Add.HorizontalLine(threshold * 100);
        line.LinePattern = LinePattern.Dotted;
        line.Text = "overfitting threshold";
        plot.Add.HorizontalLine(0).Color = Colors.Gray;
        plot.Title("Train - validation accuracy gap (points)");
        plot.XLabel("epoch");
        plot.ShowLegend();
        plot.SavePng(path, width, height);
    }

    /// <summary>
    /// The learning rate (left axis) and the training resolution (right axis) over epochs, events marked.
    /// </summary>
    public static void Schedule(IReadOnlyList<TrainingLog> logs, string path, int width = 900, int height = 400)
    {
        var plot = new Plot();
        foreach (var log in logs) Line(plot, log.Series(e => e.LearningRate), (logs.Count > 1 ? log.Name + " " : "") +
            "learning rate", LinePattern.Solid);
        var resolution = logs.Count == 1 ? logs[0].Series(e => e.Resolution is > 0 ? e.Resolution : null) : new();
        if (resolution.Count > 0)
        {
            var r = plot.Add.Scatter(resolution.Select(p => (double)p.Epoch).ToArray(),
                resolution.Select(p => p.Value).ToArray());
            r.LegendText = "resolution (px)";
            r.MarkerSize = 0;
            r.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "resolution (px)";
        }
        if (logs.Count == 1) Events(plot, logs[0]);
        plot.Title("Learning rate and resolution");
        plot.XLabel("epoch");
        plot.ShowLegend();
        plot.SavePng(path, width, height);
    }

    /// <summary>The metric of every fold of an experiment over epochs, each fold's best marked.</summary>
    public static void Folds(IReadOnlyList<TrainingLog> folds, string path, string metric, int width = 900,
        int height = 500)
    {
        var plot = new Plot();
        foreach (var log in folds)
        {
            var series = log.Series(e => metric == Monitor.ValLoss.Name ? e.ValLoss : e.ValAccuracy);
            Line(plot, series, log.Fold is { } f ? $"fold {f}" : log.Name, LinePattern.Solid);
            if (series.Count == 0) continue;
            var best = Monitor.Named(metric).HigherIsBetter ? series.MaxBy(p => p.Value) : series.MinBy(p => p.Value);
            var marker = plot.Add.Marker(best.Epoch, best.Value);
            marker.Size = 10;
            marker.Shape = MarkerShape.OpenCircle;
        }
        plot.Title($"{metric} per fold (circles: each fold's best)");
        plot.XLabel("epoch");
        plot.ShowLegend();
        plot.SavePng(path, width, height);
    }

    static void Line(Plot plot, IEnumerable<(int Epoch, double Value)> series, string label, LinePattern pattern)
    {
        var points = series.ToList();
        if (points.Count == 0) return;
        var scatter = plot.Add.Scatter(points.Select(p => (double)p.Epoch).ToArray(),
            points.Select(p => p.Value).ToArray());
        scatter.LegendText = label;
        scatter.LinePattern = pattern;
        scatter.MarkerSize = points.Count > 60 ? 0 : 4;
    }

    static void Phases(Plot plot, TrainingLog log)
    {
        var phases = log.Epochs.Where(e => e.Phase is not null).GroupBy(e => e.Phase).ToList();
        if (phases.Count < 2) return;
        int i = 0;
        foreach (var phase in phases)
        {
            var span = plot.Add.HorizontalSpan(phase.Min(e => e.Epoch) - 0.5, phase.Max(e => e.Epoch) + 0.5);
            span.FillStyle.Color = (i++ % 2 == 0 ? Colors.SkyBlue : Colors.Khaki).WithAlpha(0.15);
            span.LineStyle.Width = 0;
            span.LegendText = phase.Key!;
        }
    }

    static void Events(Plot plot, TrainingLog log)
    {
        foreach (var group in log.Events.Where(e => e.Kind is "schedule" or "early_stop" && e.Key != "phase")
            .GroupBy(e => e.Epoch))
        {
            var line = plot.Add.VerticalLine(group.Key);
            line.LinePattern = LinePattern.Dotted;
            line.Color = Colors.DarkRed;
            line.Text = string.Join(", ", group.Select(e => e.Kind == "early_stop" ? "early stop"
                : $"{e.Key} {e.From}→{e.To}"));
            line.LabelOppositeAxis = true;
        }
    }
}
