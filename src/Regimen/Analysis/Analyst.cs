using Regimen.Analysis.Findings;
using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// Diagnoses training runs, Regimen's or any other tool's: findings backed by numbers and recommendations
/// that are concrete recipe changes. A cross-validation experiment is analyzed per fold and across folds.
/// </summary>
public static class Analyst
{
    public static RunAnalysis Analyze(TrainingLog log, AnalysisOptions? options = null)
    {
        var o = options ?? new AnalysisOptions();
        var v = new LogView(log, MetricFor(log, o));
        var unchecked_ = new List<string>();
        var findings = new List<Finding>();
        findings.AddRange(TrendFindings.Divergence(v, o));
        findings.AddRange(GapFindings.ScheduleShifts(v, o));
        findings.AddRange(GapFindings.Overfitting(v, o, unchecked_));
        findings.AddRange(GapFindings.NegativeGap(v, o));
        findings.AddRange(TrendFindings.Degradation(v, o));
        findings.AddRange(TrendFindings.Plateau(v, o));
        findings.AddRange(TrendFindings.Oscillation(v, o));
        findings.AddRange(TrendFindings.Underfitting(v, o));
        findings.AddRange(RunFindings.PrematureStop(v, o));
        findings.AddRange(RunFindings.Milestones(v, o));
        findings.AddRange(ConfigFindings.LearningRateScale(v, o, findings));
        findings = findings.Select(f => f with { Run = log.Name }).ToList();
        if (v.Values.Count == 0) unchecked_.Add($"every check on {v.Metric}: the log has no such series");
        var recommendations = Advisor.Advise(log, findings);
        return new RunAnalysis
        {
            Run = log.Name, Source = log.Source, Format = log.Format, Epochs = log.Epochs.Count, Metric = v.Metric,
            BestEpoch = v.Best?.Epoch, BestValue = v.Best?.Value, FinalValue = v.Final?.Value,
            FinalGap = v.Gap.Count > 0 ? v.Gap[^1].Gap : null,
            Findings = findings.OrderBy(f => Rank(f.Severity)).ThenBy(f => f.FirstEpoch ?? 0).ToList(),
            Recommendations = recommendations, Unchecked = unchecked_, Notes = log.Notes,
        };
    }

    /// <summary>The folds of an experiment together: each fold's findings and those across folds.</summary>
    public static RunAnalysis AnalyzeFolds(IReadOnlyList<TrainingLog> folds, AnalysisOptions? options = null)
    {
        var o = options ?? new AnalysisOptions();
        var metric = MetricFor(folds[0], o);
        var views = folds.Select(f => new LogView(f, metric)).ToList();
        var perFold = folds.Select(f => Analyze(f, o with { Metric = metric })).ToList();
        var findings = RunFindings.Folds(views, o).ToList();
        if (o.Target is { } target && views.Any(x => x.Final is not null))
        {
            double mean = views.Where(x => x.Final is not null).Average(x => x.Final!.Value.Value);
            if (views[0].Better(target, mean))
                findings.Add(new Finding
                {
                    Kind = "target-gap", Severity = "warning", Run = "all folds",
                    Summary = $"The mean final {metric} over folds ({views[0].Format(mean)}) is {views[0].Format(Math.Abs(target - mean))} from the target {views[0].Format(target)}" +
                              (views[0].HigherIsBetter ? "." : $": {Math.Abs(mean - target) / mean * 100:0.#} % lower is needed."),
                    Evidence = new() { ["target"] = target, ["mean_final"] = mean, ["gap"] = Math.Abs(target - mean) },
                    Confidence = 0.95,
                });
        }
        var recommendations = Advisor.Advise(folds[0], findings);
        foreach (var r in perFold.SelectMany(a => a.Recommendations))
            if (recommendations.All(x => x.Id != r.Id)) recommendations.Add(r);
        return new RunAnalysis
        {
            Run = $"{folds.Count} folds", Source = Path.GetDirectoryName(folds[0].Source) ?? folds[0].Source, Format = folds[0].Format,
            Epochs = folds.Max(f => f.Epochs.Count), Metric = metric,
            // Per fold, only what the across-folds findings do not already say.
            Findings = findings.Concat(perFold.SelectMany(a => a.Findings).Where(f => f.Kind is not ("target-gap" or "premature-stop" or "early-peak")))
                .OrderBy(f => Rank(f.Severity)).ToList(),
            Recommendations = recommendations,
            Unchecked = perFold.SelectMany(a => a.Unchecked).Distinct().ToList(),
            Notes = folds[0].Notes,
        };
    }

    static string MetricFor(TrainingLog log, AnalysisOptions o) =>
        o.Metric ?? (log.Has(e => e.ValAccuracy) ? "val_acc" : "val_loss");

    static int Rank(string severity) => severity switch { "critical" => 0, "warning" => 1, _ => 2 };
}
