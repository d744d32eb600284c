using Regimen.Analysis.Findings;
using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// Diagnoses training runs, Regimen's or any other tool's: findings backed by numbers and recommendations
/// that are concrete recipe changes. A cross-validation experiment is analyzed per fold and across folds.
/// The kinds of finding are the classes in <see cref="FindingRegistry"/>.
/// </summary>
public static class Analyst
{
    public static RunAnalysis Analyze(TrainingLog log, AnalysisOptions? options = null) => Analyze(log, options, null);

    /// <summary>
    /// A run still going, as the live analyst judges it after each epoch: what its epochs so far show, knowing
    /// that the epochs it plans are still ahead (<see cref="LogView.BeforeDecay"/>).
    /// </summary>
    internal static RunAnalysis AnalyzeRunning(TrainingLog log, AnalysisOptions? options) =>
        Analyze(log, options, null, running: true);

    /// <summary>
    /// One run; <paramref name="noisePool"/>: the runs whose spreads are measured together with its (folds).
    /// </summary>
    static RunAnalysis Analyze(TrainingLog log, AnalysisOptions? options, IReadOnlyList<TrainingLog>? noisePool,
        bool running = false)
    {
        var o = options ?? new AnalysisOptions();
        var series = new LogSeries(log);
        log = Derived(log, series);
        var v = new LogView(log, MetricFor(log, o), o, noisePool, running, series);
        var notChecked = new List<string>();
        var findings = new List<Finding>();
        foreach (var kind in FindingRegistry.All.Where(k => k.InRuns))
        {
            foreach (var lack in kind.Lacks(log)) if (!notChecked.Contains(lack)) notChecked.Add(lack);
            if (log.Epochs.Count < kind.MinimumEpochs(o)) notChecked.Add(kind.TooEarly(log.Epochs.Count, o));
            else findings.AddRange(kind.Detect(new RunCheck(v, o, findings, notChecked)).ToList());
        }
        findings = findings.Select(f => f with { Run = log.Name }).ToList();
        if (v.Values.Count == 0) notChecked.Add($"every check on {v.Metric}: the log has no such series");
        var notes = log.Notes;
        if (o.Monitor is null && DefaultMetric(log).Note is { } monitorNote)
            notes = notes.Prepend(monitorNote).ToList();
        var recommendations = Advisor.Advise(log, findings);
        return new RunAnalysis
        {
            Run = log.Name, Source = log.Source, Format = log.Format, Epochs = log.Epochs.Count, Monitor = v.Metric,
            Reader = log.Reader, Columns = log.Columns.Select(c => c.ToString()).ToList(), NotFound = log.NotFound,
            BestEpoch = v.Best?.Epoch, BestValue = v.Best?.Value, FinalValue = v.Final?.Value,
            FinalGap = v.Gap.Count > 0 ? v.Gap[^1].Gap : null, Test = log.Test,
            Findings = findings.OrderBy(f => Severity.Rank(f.Severity)).ThenBy(f => f.FirstEpoch ?? 0).ToList(),
            Recommendations = recommendations, Unchecked = notChecked, Notes = notes,
        };
    }

    /// <summary>The folds of an experiment together: each fold's findings and those across folds.</summary>
    public static RunAnalysis AnalyzeFolds(IReadOnlyList<TrainingLog> folds, AnalysisOptions? options = null)
    {
        var o = options ?? new AnalysisOptions();
        var metric = MetricFor(folds[0], o);
        var stepped = folds.Select(f => Derived(f, new LogSeries(f))).ToList();
        var views = stepped.Select(f => new LogView(f, metric, o, stepped)).ToList();
        var perFold = folds.Select(f => Analyze(f, o with { Monitor = metric }, stepped)).ToList();
        var check = new FoldsCheck(views, o);
        var findings = new List<Finding>();
        var notChecked = new List<string>();
        int shortest = folds.Min(f => f.Epochs.Count);
        foreach (var kind in FindingRegistry.All.Where(k => k.AcrossFolds))
        {
            if (shortest < kind.MinimumEpochs(o))
                notChecked.Add(kind.TooEarly(shortest, o, "epochs in the shortest fold"));
            else findings.AddRange(kind.DetectAcrossFolds(check));
        }
        var recommendations = Advisor.Advise(folds[0], findings);
        foreach (var r in perFold.SelectMany(a => a.Recommendations))
            if (recommendations.All(x => x.Id != r.Id)) recommendations.Add(r);
        // Per fold, only what the across-folds findings do not already say.
        var foldFindings = perFold.SelectMany(a => a.Findings).Where(f => FindingRegistry.Get(f.Kind).ListedPerFold);
        return new RunAnalysis
        {
            Run = $"{folds.Count} folds", Source = Path.GetDirectoryName(folds[0].Source) ?? folds[0].Source,
            Format = folds[0].Format, Epochs = folds.Max(f => f.Epochs.Count), Monitor = metric,
            Reader = folds[0].Reader, Columns = folds[0].Columns.Select(c => c.ToString()).ToList(),
            NotFound = folds[0].NotFound,
            Findings = findings.Concat(foldFindings).OrderBy(f => Severity.Rank(f.Severity)).ToList(),
            Recommendations = recommendations,
            // A kind too early across folds is too early in each fold: said once.
            Unchecked = notChecked.Concat(perFold.SelectMany(a => a.Unchecked)
                    .Where(u =>
                        !notChecked.Any(n => u.StartsWith(n[..(n.IndexOf(':') + 1)], StringComparison.Ordinal))))
                .Distinct().ToList(),
            Notes = folds[0].Notes,
        };
    }

    /// <summary>
    /// The log with the schedule events its series show and it does not record (lr steps, unlogged jumps).
    /// </summary>
    static TrainingLog Derived(TrainingLog log, LogSeries series) =>
        UnloggedChanges.WithJumps(LearningRateSteps.WithSteps(log, series), series);

    static string MetricFor(TrainingLog log, AnalysisOptions o) => o.Monitor ?? DefaultMetric(log).Metric;

    /// <summary>
    /// The metric a log is judged on when none is asked for: validation accuracy, else validation loss, else another
    /// held-out series the log kept by name (a Val AUC, a macro-F1), else the training accuracy or loss, with a note
    /// saying so: a log with training metrics only is still judged (underfitting needs no validation), and the
    /// report says loudly that nothing in it measures generalization.
    /// </summary>
    internal static (string Metric, string? Note) DefaultMetric(TrainingLog log)
    {
        if (log.Has(e => e.ValAccuracy)) return ("val_acc", null);
        if (log.Has(e => e.ValLoss)) return ("val_loss", null);
        foreach (var name in log.OtherSeries.Keys)
            if (Runs.Readers.ColumnRoles.Classify(name).Phase == Runs.Readers.Phase.Val &&
                Runs.Readers.ColumnRoles.Words(name).Any(HeldOutMetricWords.Contains))
                return (name, $"no validation accuracy or loss: judged on {name}, the held-out series the log has");
        foreach (var (metric, what) in new[] { ("train_acc", "training accuracy"), ("train_loss", "training loss") })
            if (log.MetricSeries(metric) is { Count: > 0 })
                return (metric, $"NO HELD-OUT SERIES: the log has training metrics only; judged on {metric}, the " +
                    $"{what}, which says how well the model fits its training data, nothing of how it generalizes");
        return ("val_loss", null);
    }

    static readonly HashSet<string> HeldOutMetricWords = new()
    {
        "auc", "roc", "f1", "precision", "recall", "iou", "miou", "map", "dice", "kappa", "mcc", "score", "r2", "mae",
        "mse", "rmse", "top1", "acc",
    };
}
