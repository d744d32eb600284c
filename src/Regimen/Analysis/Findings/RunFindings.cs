using Regimen.Runs;

namespace Regimen.Analysis.Findings;

/// <summary>What the run as a whole says: stopped too early, milestones missed, the gap to a target, and across folds.</summary>
internal static class RunFindings
{
    public static IEnumerable<Finding> PrematureStop(LogView v, AnalysisOptions o)
    {
        var stop = v.Log.Events.FirstOrDefault(e => e.Kind == "early_stop");
        int trained = v.Log.Epochs.Count;
        if (v.Log.PlannedEpochs is not { } planned || trained >= planned) yield break;
        if (v.Best is not { } best) yield break;
        // Stopped with budget left while the best came late, or after only a short patience.
        double usedFraction = (double)trained / planned;
        if (usedFraction > 0.9) yield break;
        yield return new Finding
        {
            Kind = "premature-stop",
            Severity = best.Epoch >= v.LastEpoch - 1 ? "warning" : "info",
            FirstEpoch = v.LastEpoch,
            LastEpoch = v.LastEpoch,
            Summary = $"Training stopped after {trained} of {planned} epochs ({usedFraction * 100:0} % of the budget)" +
                      (stop?.Message is { } m ? $" ({m})" : "") +
                      $"; the best epoch was {best.Epoch}. Noisy validation can trip a short patience before the schedule has done its work.",
            Evidence = new() { ["epochs_trained"] = trained, ["epochs_planned"] = planned, ["best_epoch"] = best.Epoch },
            Confidence = 0.6,
        };
    }

    public static IEnumerable<Finding> Milestones(LogView v, AnalysisOptions o)
    {
        foreach (var (epoch, minimum) in o.Milestones.OrderBy(m => m.Key))
        {
            var at = v.Values.Where(p => p.Epoch <= epoch).ToList();
            if (at.Count == 0 || v.LastEpoch < epoch) continue;
            double best = v.HigherIsBetter ? at.Max(p => p.Value) : at.Min(p => p.Value);
            if (!v.Better(minimum, best) || minimum == best) continue;
            yield return new Finding
            {
                Kind = "milestone-missed", Severity = "warning", FirstEpoch = epoch, LastEpoch = epoch,
                Summary = $"By epoch {epoch} {v.Metric} reached {v.Format(best)}, short of the milestone {v.Format(minimum)}.",
                Evidence = new() { ["epoch"] = epoch, ["milestone"] = minimum, ["reached"] = best },
                Confidence = 0.9,
            };
        }
        if (o.Target is { } target && v.Best is { } bestValue && v.Better(target, bestValue.Value))
            yield return new Finding
            {
                Kind = "target-gap", Severity = "warning", FirstEpoch = bestValue.Epoch, LastEpoch = v.LastEpoch,
                Summary = $"The best {v.Metric} ({v.Format(bestValue.Value)} at epoch {bestValue.Epoch}) is {(v.HigherIsBetter ? LogView.Points(Math.Abs(target - bestValue.Value)).TrimStart('+') : v.Format(Math.Abs(target - bestValue.Value)))} from the target {v.Format(target)}" +
                          (v.HigherIsBetter ? "." : $": {Math.Abs(bestValue.Value - target) / bestValue.Value * 100:0.#} % lower is needed."),
                Evidence = new() { ["target"] = target, ["best"] = bestValue.Value, ["gap"] = Math.Abs(target - bestValue.Value) },
                Confidence = 0.95,
            };
    }

    /// <summary>Across an experiment's folds: spread, folds that degraded after their best, folds stopped early.</summary>
    public static IEnumerable<Finding> Folds(IReadOnlyList<LogView> folds, AnalysisOptions o)
    {
        if (folds.Count < 2) yield break;
        var v0 = folds[0];
        var best = folds.Where(f => f.Best is not null).Select(f => f.Best!.Value.Value).ToArray();
        var final = folds.Where(f => f.Final is not null).Select(f => f.Final!.Value.Value).ToArray();
        if (best.Length < 2 || final.Length < 2) yield break;
        double spread = ExperimentSummary.Std(final);
        double scale = v0.HigherIsBetter ? 1 : Math.Max(Math.Abs(final.Average()), 1e-12);
        if (spread / scale > o.FoldSpread)
            yield return new Finding
            {
                Kind = "fold-spread", Severity = "warning", Run = "all folds",
                Summary = $"Final {v0.Metric} varies across the {folds.Count} folds: {v0.Format(final.Average())} ± {v0.Format(spread)} (std), from {v0.Format(final.Min())} to {v0.Format(final.Max())}; best {v0.Format(best.Average())} ± {v0.Format(ExperimentSummary.Std(best))}.",
                Evidence = new() { ["final_mean"] = final.Average(), ["final_std"] = spread, ["best_mean"] = best.Average(), ["best_std"] = ExperimentSummary.Std(best) },
                Confidence = 0.7,
            };
        if (final.Length < 2) yield break;
        var degraded = folds.Where(f => f.Best is { } b && f.Final is { } fin && f.Worse(fin.Value, b.Value) > o.DegradationDelta).ToList();
        if (degraded.Count > 0)
        {
            double mean = folds.Where(f => f.Best is not null && f.Final is not null).Average(f => f.Final!.Value.Value - f.Best!.Value.Value);
            var worst = degraded.OrderByDescending(f => f.Worse(f.Final!.Value.Value, f.Best!.Value.Value)).First();
            yield return new Finding
            {
                Kind = "degradation", Severity = degraded.Count * 2 > folds.Count ? "critical" : "warning", Run = "all folds",
                Summary = $"{degraded.Count} of {folds.Count} folds ended worse than their best epoch; mean change from best to final {mean:+0.####;-0.####}, " +
                          $"worst {worst.Log.Name} ({worst.Format(worst.Best!.Value.Value)} at epoch {worst.Best!.Value.Epoch} → {worst.Format(worst.Final!.Value.Value)}).",
                Evidence = new() { ["degraded_folds"] = degraded.Count, ["folds"] = folds.Count, ["mean_best_to_final"] = mean },
                Confidence = 0.8,
            };
        }
        var stopped = folds.Where(f => f.Log.PlannedEpochs is { } p && f.Log.Epochs.Count < p).ToList();
        if (stopped.Count > 0)
        {
            double meanEpochs = folds.Average(f => f.Log.Epochs.Count);
            yield return new Finding
            {
                Kind = "premature-stop", Severity = stopped.Count * 2 > folds.Count ? "warning" : "info", Run = "all folds",
                Summary = $"{stopped.Count} of {folds.Count} folds stopped before their {folds[0].Log.PlannedEpochs}-epoch budget (mean {meanEpochs:0.#} epochs trained): early stopping cut them short.",
                Evidence = new() { ["stopped_folds"] = stopped.Count, ["folds"] = folds.Count, ["mean_epochs"] = meanEpochs, ["planned_epochs"] = folds[0].Log.PlannedEpochs ?? double.NaN },
                Confidence = 0.75,
            };
        }
        var early = folds.Where(f => f.Best is { } b && f.Log.PlannedEpochs is { } p && b.Epoch - f.FirstEpoch + 1 <= o.EarlyPeakFraction * p
                                     && f.Final is { } fin && f.Worse(fin.Value, b.Value) > o.DegradationDelta).ToList();
        if (early.Count * 2 >= folds.Count)
            yield return new Finding
            {
                Kind = "early-peak", Severity = "warning", Run = "all folds",
                Summary = $"In {early.Count} of {folds.Count} folds the best epoch came early (epochs {string.Join(", ", early.Select(f => f.Best!.Value.Epoch))}) and was followed by decline: the learning rate is likely too high after the first fine-tuning epochs.",
                Evidence = new() { ["early_peak_folds"] = early.Count, ["folds"] = folds.Count },
                Confidence = 0.65,
            };
    }
}
