using Regimen.Runs;
using Regimen.Training;
using ScottPlot;
using Monitor = Regimen.Training.Monitor;   // not System.Threading.Monitor

namespace Regimen.Reports;

/// <summary>PNG charts of runs (ScottPlot): accuracy and loss curves with phase bands and schedule-event markers,
/// the train-validation gap, the schedule, the folds. Legends sit below the data (<see cref="ChartLayout"/>).</summary>
public static class PngCharts
{
    /// <summary>Legend entries for schedule events at most: neighbouring epochs share one beyond that.</summary>
    const int EventGroups = 6;

    /// <summary>Writes accuracy (left) and loss (right) side by side for each run, events marked, phases
    /// shaded.</summary>
    public static void Curves(IReadOnlyList<TrainingLog> logs, string path, int width = 1400, int height = 600) =>
        CurvesFigure(logs, width, height).SavePng(path);

    internal static ChartFigure CurvesFigure(IReadOnlyList<TrainingLog> logs, int width = 1400, int height = 600)
    {
        // Formats without accuracy (Hugging Face, seed 004's log-loss folds) get the loss chart alone.
        bool hasAccuracy = logs.Any(l => l.Has(e => e.TrainAccuracy) || l.Has(e => e.ValAccuracy));
        var accuracy = new Plot();
        var loss = new Plot();
        for (int i = 0; i < logs.Count; i++)
        {
            var log = logs[i];
            string prefix = logs.Count > 1 ? RunName(log, width / 2) + " " : "";
            // Several runs: a colour per run, train dashed and validation solid; one run: a colour per series.
            Color? color = logs.Count > 1 ? accuracy.Add.Palette.GetColor(i) : null;
            Line(accuracy, log.Series(e => e.TrainAccuracy), prefix + "train acc", LinePattern.Dashed, color);
            Line(accuracy, log.Series(e => e.ValAccuracy), prefix + "val acc", LinePattern.Solid, color);
            Line(loss, log.Series(e => e.TrainLoss), prefix + "train loss", LinePattern.Dashed, color);
            Line(loss, log.Series(e => e.ValLoss), prefix + "val loss", LinePattern.Solid, color);
        }
        if (logs.Count == 1)
            foreach (var plot in new[] { accuracy, loss })
            {
                Phases(plot, logs[0]);
                Events(plot, logs[0]);
            }
        Finish(accuracy, "Accuracy", width / 2, "no accuracy");
        Finish(loss, "Loss", width / 2, "no loss");
        foreach (var plot in new[] { accuracy, loss }) ChartLayout.ConstantAxis(plot, plot.Axes.Left);
        return hasAccuracy ? new ChartFigure(width, height, accuracy, loss) : new ChartFigure(width / 2, height, loss);
    }

    /// <summary>The train-validation accuracy gap over epochs for each run, with the overfitting threshold.</summary>
    public static void Gap(IReadOnlyList<TrainingLog> logs, string path, double threshold = 0.05, int width = 900,
        int height = 500) => GapFigure(logs, threshold, width, height).SavePng(path);

    internal static ChartFigure GapFigure(IReadOnlyList<TrainingLog> logs, double threshold = 0.05, int width = 900,
        int height = 500)
    {
        var plot = new Plot();
        var all = new List<double> { 0, threshold * 100 };
        foreach (var log in logs)
        {
            var points = log.Epochs.Where(e => e.TrainAccuracy is not null && e.ValAccuracy is not null)
                .Select(e => (e.Epoch, Value: (e.TrainAccuracy!.Value - e.ValAccuracy!.Value) * 100))
                .Where(p => double.IsFinite(p.Value)).ToList();
            Line(plot, points, RunName(log, width), LinePattern.Solid);
            all.AddRange(points.Select(p => p.Value));
        }
        // The threshold is named in the legend: a label on the line would sit on the tick labels or the curves.
        var line = plot.Add.HorizontalLine(threshold * 100);
        line.LinePattern = LinePattern.Dotted;
        line.LegendText = $"overfitting threshold ({Units.PointsMagnitude(threshold)})";
        plot.Add.HorizontalLine(0).Color = Colors.Gray;
        Finish(plot, "Train - validation accuracy gap (points)", width, "no train and validation accuracy");
        // The range holds zero and the threshold, whatever the runs did.
        double low = all.Min(), high = all.Max(), pad = (high - low) * 0.08;
        plot.Axes.SetLimitsY(low - pad, high + pad);
        return new ChartFigure(width, height, plot);
    }

    /// <summary>The learning rate (left axis) and the training resolution (right axis) over epochs, events
    /// marked.</summary>
    public static void Schedule(IReadOnlyList<TrainingLog> logs, string path, int width = 900, int height = 400) =>
        ScheduleFigure(logs, width, height).SavePng(path);

    internal static ChartFigure ScheduleFigure(IReadOnlyList<TrainingLog> logs, int width = 900, int height = 400)
    {
        var plot = new Plot();
        foreach (var log in logs)
            Line(plot, log.Series(e => e.LearningRate),
                (logs.Count > 1 ? RunName(log, width) + " " : "") + "learning rate", LinePattern.Solid);
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
        Finish(plot, "Learning rate and resolution", width, "neither");
        ChartLayout.ConstantAxis(plot, plot.Axes.Left);
        // The resolutions a run trained at, and only those: a constant one is one labelled tick.
        if (resolution.Count > 0) ChartLayout.TicksAt(plot, plot.Axes.Right, resolution.Select(p => p.Value));
        return new ChartFigure(width, height, plot);
    }

    /// <summary>The metric of every fold of an experiment over epochs, each fold's best marked.</summary>
    public static void Folds(IReadOnlyList<TrainingLog> folds, string path, string metric, int width = 900,
        int height = 500) => FoldsFigure(folds, metric, width, height).SavePng(path);

    internal static ChartFigure FoldsFigure(IReadOnlyList<TrainingLog> folds, string metric, int width = 900,
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
        Finish(plot, $"{metric} per fold (circles: each fold's best)", width, $"no {metric}");
        ChartLayout.ConstantAxis(plot, plot.Axes.Left);
        return new ChartFigure(width, height, plot);
    }

    /// <summary>The epoch axis, the legend below, the axes fitted to the data (before any axis is set by
    /// hand).</summary>
    static void Finish(Plot plot, string title, int width, string missing)
    {
        plot.XLabel("epoch");
        ChartLayout.LegendBelow(plot, width);
        plot.Axes.AutoScale();
        ChartLayout.WholeEpochs(plot);
        // A log without the series still gets its chart (analyze --png writes all three), saying so in its title,
        // with axes that have a range.
        bool empty = !plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Any();
        plot.Title(empty ? $"{title}: {missing} in this log" : title);
        if (empty) plot.Axes.SetLimits(0, 1, 0, 1);
    }

    /// <summary>The run's name, shortened to leave room for what follows it in a legend label ("val loss").</summary>
    static string RunName(TrainingLog log, int width) =>
        ChartLayout.Shorten(log.Name, ChartLayout.LegendChars(width) - 14);

    static void Line(Plot plot, IEnumerable<(int Epoch, double Value)> series, string label, LinePattern pattern,
        Color? color = null)
    {
        var points = series.ToList();
        if (points.Count == 0) return;
        var scatter = plot.Add.Scatter(points.Select(p => (double)p.Epoch).ToArray(),
            points.Select(p => p.Value).ToArray());
        scatter.LegendText = label;
        scatter.LinePattern = pattern;
        scatter.MarkerSize = points.Count > 60 ? 0 : 4;
        if (color is { } c) scatter.Color = c;
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

    /// <summary>
    /// Schedule changes and early stops as dotted lines, described in the legend (a label on the line would sit on
    /// the title or the curves, and run off the figure at the last epoch). A few epochs get an entry each
    /// ("epoch 10: resolution 128→224"); more get one per key, in a colour of its own ("lr: 9 changes, epochs
    /// 300-2700"), at most <see cref="EventGroups"/> entries, so that a 3,000-epoch step schedule stays legible.
    /// </summary>
    static void Events(Plot plot, TrainingLog log)
    {
        var events = log.Events.Where(e => e.Kind is "schedule" or "early_stop" && e.Key != "phase").ToList();
        int colour = 0;
        foreach (var (label, members) in Grouped(events))
        {
            var color = EventColors[colour++ % EventColors.Length];
            foreach (var epoch in members.Select(e => e.Epoch).Distinct().Order())
            {
                var line = plot.Add.VerticalLine(epoch);
                line.LinePattern = LinePattern.Dotted;
                line.Color = color;
                if (epoch == members.Min(e => e.Epoch)) line.LegendText = label;
            }
        }
    }

    static IEnumerable<(string Label, List<LogEvent> Events)> Grouped(List<LogEvent> events)
    {
        if (events.Select(e => e.Epoch).Distinct().Count() <= EventGroups)
            return events.GroupBy(e => e.Epoch).OrderBy(g => g.Key)
                .Select(g => ($"epoch {g.Key}: {string.Join(", ", g.Select(Describe))}", g.ToList()));
        var byKey = events.GroupBy(Name).OrderByDescending(g => g.Count()).ThenBy(g => g.Min(e => e.Epoch))
            .Select(g => (Key: g.Key, Events: g.ToList())).ToList();
        if (byKey.Count > EventGroups)
            byKey = [.. byKey.Take(EventGroups - 1),
                ("other changes", byKey.Skip(EventGroups - 1).SelectMany(g => g.Events).ToList())];
        return byKey.Select(g => (Summary(g.Key, g.Events), g.Events));
    }

    static string Summary(string key, List<LogEvent> events) => events.Count == 1
        ? $"epoch {events[0].Epoch}: {Describe(events[0])}"
        : $"{key}: {events.Count} changes, epochs {events.Min(e => e.Epoch)}-{events.Max(e => e.Epoch)}";

    /// <summary>Dark colours, apart from the series' palette.</summary>
    static readonly Color[] EventColors =
        [Colors.DarkRed, Colors.Navy, Colors.DarkGreen, Colors.Indigo, Colors.SaddleBrown, Colors.DarkSlateGray];

    static string Name(LogEvent e) => e.Kind == "early_stop" ? "early stop" : e.Key ?? e.Kind;

    static string Describe(LogEvent e) => e.Kind == "early_stop" ? "early stop" : $"{e.Key} {e.From}→{e.To}";
}
