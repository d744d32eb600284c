namespace Regimen.Analysis.Findings;

/// <summary>What the metric's course says: plateau, degradation, an early peak, divergence, oscillation, underfitting.</summary>
internal static class TrendFindings
{
    public static IEnumerable<Finding> Plateau(LogView v, AnalysisOptions o)
    {
        if (v.Values.Count < o.PlateauEpochs + 2) yield break;
        var head = v.Values.Take(v.Values.Count - o.PlateauEpochs).ToList();
        var tail = v.Values.Skip(v.Values.Count - o.PlateauEpochs).ToList();
        double bestBefore = v.HigherIsBetter ? head.Max(p => p.Value) : head.Min(p => p.Value);
        double bestTail = v.HigherIsBetter ? tail.Max(p => p.Value) : tail.Min(p => p.Value);
        double gain = v.HigherIsBetter ? bestTail - bestBefore : (bestBefore - bestTail) / Math.Max(Math.Abs(bestBefore), 1e-12);
        if (gain >= o.PlateauDelta) yield break;
        var lrs = v.Log.Series(e => e.LearningRate);
        bool annealed = lrs.Count > 2 && lrs[^1].Value < 0.05 * lrs.Max(p => p.Value);
        bool belowTarget = o.Target is { } target && v.Better(target, bestTail) && v.Better(target, bestBefore);
        yield return new Finding
        {
            Kind = "plateau",
            Severity = belowTarget ? "warning" : annealed ? "info" : "warning",
            FirstEpoch = tail[0].Epoch,
            LastEpoch = tail[^1].Epoch,
            Summary = $"{v.Metric} gained {(v.HigherIsBetter ? LogView.Points(gain) : $"{gain * 100:0.##} %")} over the last {o.PlateauEpochs} epochs (best {v.Format(v.HigherIsBetter ? Math.Max(bestBefore, bestTail) : Math.Min(bestBefore, bestTail))})" +
                      (belowTarget ? $", below the target {v.Format(o.Target!.Value)}." : annealed ? ", with the learning rate already annealed: the run has converged." : "."),
            Evidence = new() { ["gain_last_epochs"] = gain, ["best_before"] = bestBefore, ["best_in_window"] = bestTail, ["window_epochs"] = o.PlateauEpochs },
            Confidence = annealed && !belowTarget ? 0.5 : 0.75,
        };
    }

    public static IEnumerable<Finding> Degradation(LogView v, AnalysisOptions o)
    {
        if (v.Best is not { } best || v.Final is not { } final || best.Epoch == final.Epoch) yield break;
        double worse = v.Worse(final.Value, best.Value);
        if (worse <= o.DegradationDelta) yield break;
        int span = v.LastEpoch - v.FirstEpoch + 1;
        bool early = best.Epoch - v.FirstEpoch + 1 <= Math.Max(1, o.EarlyPeakFraction * (v.Log.PlannedEpochs ?? span));
        yield return new Finding
        {
            Kind = "degradation",
            Severity = worse > 3 * o.DegradationDelta ? "critical" : "warning",
            FirstEpoch = best.Epoch,
            LastEpoch = final.Epoch,
            Summary = $"{v.Metric} was best at epoch {best.Epoch} ({v.Format(best.Value)}) and ended at {v.Format(final.Value)}: " +
                      (v.HigherIsBetter ? $"{LogView.Points(worse)} lower" : $"{worse * 100:0.#} % higher") + " than its best.",
            Evidence = new() { ["best"] = best.Value, ["best_epoch"] = best.Epoch, ["final"] = final.Value, ["degradation"] = worse },
            Confidence = Math.Min(0.9, 0.55 + worse * (v.HigherIsBetter ? 5 : 1)),
        };
        if (early)
            yield return new Finding
            {
                Kind = "early-peak",
                Severity = "warning",
                FirstEpoch = best.Epoch,
                LastEpoch = final.Epoch,
                Summary = $"The best epoch ({best.Epoch}) came in the first {o.EarlyPeakFraction * 100:0} % of the run and the rest only lost ground: " +
                          "the learning rate is likely too high for this stage (fine-tuning especially), moving the weights away from the good solution.",
                Evidence = new() { ["best_epoch"] = best.Epoch, ["epochs"] = v.Log.PlannedEpochs ?? span, ["degradation"] = worse },
                Confidence = 0.6,
            };
    }

    public static IEnumerable<Finding> Divergence(LogView v, AnalysisOptions o)
    {
        var loss = v.Log.Series(e => e.TrainLoss);
        var bad = v.Log.Epochs.FirstOrDefault(e => e.TrainLoss is { } l && !double.IsFinite(l) || e.ValLoss is { } vl && !double.IsFinite(vl));
        if (bad is not null)
        {
            yield return new Finding
            {
                Kind = "divergence", Severity = "critical", FirstEpoch = bad.Epoch, LastEpoch = v.LastEpoch,
                Summary = $"The loss became NaN or infinite at epoch {bad.Epoch}: training diverged.",
                Evidence = new() { ["epoch"] = bad.Epoch }, Confidence = 0.95,
            };
            yield break;
        }
        double min = double.MaxValue;
        foreach (var (epoch, value) in loss)
        {
            if (min < double.MaxValue && value > o.DivergenceFactor * min && epoch > v.FirstEpoch + 1)
            {
                yield return new Finding
                {
                    Kind = "divergence", Severity = "critical", FirstEpoch = epoch, LastEpoch = v.LastEpoch,
                    Summary = $"Training loss jumped to {value:0.####} at epoch {epoch}, {value / min:0.#} times its minimum so far ({min:0.####}): the optimization blew up.",
                    Evidence = new() { ["loss"] = value, ["running_min"] = min, ["factor"] = value / min }, Confidence = 0.85,
                };
                yield break;
            }
            min = Math.Min(min, value);
        }
    }

    public static IEnumerable<Finding> Oscillation(LogView v, AnalysisOptions o)
    {
        var tail = v.Values.Skip(Math.Max(0, v.Values.Count - 10)).ToList();
        if (tail.Count < 6) yield break;
        var diffs = tail.Zip(tail.Skip(1), (a, b) => b.Value - a.Value).ToList();
        int flips = diffs.Zip(diffs.Skip(1), (a, b) => Math.Sign(a) * Math.Sign(b) < 0 ? 1 : 0).Sum();
        double amplitude = diffs.Average(Math.Abs);
        double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(tail.Average(p => p.Value)), 1e-12);
        if (flips < 0.6 * (diffs.Count - 1) || amplitude / scale < 2 * o.PlateauDelta) yield break;
        yield return new Finding
        {
            Kind = "oscillation", Severity = "warning", FirstEpoch = tail[0].Epoch, LastEpoch = tail[^1].Epoch,
            Summary = $"{v.Metric} changed direction {flips} times in the last {diffs.Count} epoch steps, by {v.Format(amplitude)} on average: the updates are too noisy (learning rate or batch size) to settle.",
            Evidence = new() { ["direction_changes"] = flips, ["steps"] = diffs.Count, ["mean_abs_change"] = amplitude },
            Confidence = 0.6,
        };
    }

    public static IEnumerable<Finding> Underfitting(LogView v, AnalysisOptions o)
    {
        // Only epochs since the last schedule change: a change (MixUp off, a new resolution) moves the loss by itself.
        int since = v.Log.Events.Where(e => e.Kind == "schedule" && e.Key != "phase").Select(e => e.Epoch).DefaultIfEmpty(int.MinValue).Max();
        var loss = v.Log.Series(e => e.TrainLoss).Where(p => p.Epoch >= since).ToList();
        if (loss.Count < 3 || v.Values.Count < 4) yield break;
        var lastLoss = loss.Skip(loss.Count - 3).ToList();
        double lossDrop = (lastLoss[0].Value - lastLoss[^1].Value) / Math.Max(Math.Abs(lastLoss[0].Value), 1e-12) / 2;
        var lastValues = v.Values.Skip(v.Values.Count - 3).ToList();
        double metricGain = (lastValues[^1].Value - lastValues[0].Value) * (v.HigherIsBetter ? 1 : -1) / (v.HigherIsBetter ? 1 : Math.Max(Math.Abs(lastValues[0].Value), 1e-12)) / 2;
        // Still learning: the best epoch is (nearly) the last, and both series moved the right way over the last epochs.
        bool stillLearning = lossDrop > 0.01 && metricGain > o.PlateauDelta / 2 && v.Best is { } b && b.Epoch >= v.LastEpoch - 1
                             && v.Better(lastValues[^1].Value, lastValues[^2].Value);
        bool smallGap = v.Gap.Count == 0 || v.Gap[^1].Gap < o.GapWarning / 2;
        var lrs = v.Log.Series(e => e.LearningRate);
        bool annealed = lrs.Count > 2 && lrs[^1].Value < 0.05 * lrs.Max(p => p.Value);
        if (!stillLearning || !smallGap || (annealed && v.Log.PlannedEpochs is { } planned && v.LastEpoch + 1 < planned)) yield break;
        yield return new Finding
        {
            Kind = "underfitting", Severity = annealed ? "info" : "warning", FirstEpoch = lastValues[0].Epoch, LastEpoch = lastValues[^1].Epoch,
            Summary = $"The run ended still improving: training loss fell {lossDrop * 100:0.#} % per epoch and {v.Metric} gained {(v.HigherIsBetter ? LogView.Points(metricGain) : $"{metricGain * 100:0.##} %")} per epoch over the last epochs, " +
                      (annealed
                          ? "with no sign of overfitting, as the learning rate annealed to its end: the schedule, not the model, set the limit, and a longer schedule would likely score higher."
                          : "with no sign of overfitting, and the learning rate still high: it stopped before it converged."),
            Evidence = new() { ["train_loss_drop_per_epoch"] = lossDrop, ["metric_gain_per_epoch"] = metricGain, ["final_gap"] = v.Gap.Count > 0 ? v.Gap[^1].Gap : double.NaN },
            Confidence = 0.6,
        };
    }
}
