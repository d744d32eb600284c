using Regimen.Runs;

namespace Regimen.Analysis.Findings;

/// <summary>What the train-validation gap says: overfitting, a negative gap explained by regularization, and schedule changes that moved it.</summary>
internal static class GapFindings
{
    public static IEnumerable<Finding> Overfitting(LogView v, AnalysisOptions o, List<string> unchecked_)
    {
        var log = v.Log;
        if (v.Gap.Count >= 2)
        {
            var last = v.Gap[^1];
            if (last.Gap > o.GapWarning)
            {
                // The onset: the first epoch from which the gap stays above the threshold to the end.
                int onset = v.Gap.Count - 1;
                while (onset > 0 && v.Gap[onset - 1].Gap > o.GapWarning) onset--;
                var window = v.Gap.Skip(Math.Max(0, onset - 1)).ToList();
                double before = onset > 0 ? v.Gap[onset - 1].Gap : v.Gap[0].Gap;
                bool growing = LogView.Slope(window) > 0 || last.Gap > before;
                var final = log.Epochs[^1];
                yield return new Finding
                {
                    Kind = "overfitting",
                    Severity = last.Gap > o.GapCritical ? "critical" : "warning",
                    FirstEpoch = v.Gap[onset].Epoch,
                    LastEpoch = last.Epoch,
                    Summary = $"Training accuracy is {LogView.Points(last.Gap)} above validation at epoch {last.Epoch} " +
                              $"({final.TrainAccuracy * 100:0.##} % vs {final.ValAccuracy * 100:0.##} %); the gap has stayed above {o.GapWarning * 100:0.#} points since epoch {v.Gap[onset].Epoch}" +
                              (growing ? $" and grew from {LogView.Points(before)}." : "."),
                    Evidence = new()
                    {
                        ["final_gap"] = last.Gap, ["gap_before_onset"] = before, ["onset_epoch"] = v.Gap[onset].Epoch,
                        ["final_train_acc"] = final.TrainAccuracy ?? double.NaN, ["final_val_acc"] = final.ValAccuracy ?? double.NaN,
                    },
                    Confidence = Math.Min(0.95, 0.5 + (last.Gap - o.GapWarning) * 4 + (v.Gap.Count - onset) * 0.03),
                };
            }
        }
        else unchecked_.Add("overfitting by accuracy gap: the log has no training accuracy" + (log.Format is "timm" or "ffcv" or "huggingface" ? $" ({log.Format} does not record it)" : ""));

        // The loss view: validation loss rising while training loss falls.
        var trainLoss = log.Series(e => e.TrainLoss);
        var valLoss = log.Series(e => e.ValLoss);
        if (trainLoss.Count >= 4 && valLoss.Count >= 4)
        {
            var minVal = valLoss.Aggregate((a, b) => b.Value < a.Value ? b : a);
            var after = valLoss.Where(p => p.Epoch >= minVal.Epoch).ToList();
            var trainAfter = trainLoss.Where(p => p.Epoch >= minVal.Epoch).ToList();
            double rise = (valLoss[^1].Value - minVal.Value) / Math.Max(Math.Abs(minVal.Value), 1e-12);
            if (after.Count >= 3 && rise > 0.05 && LogView.Slope(after) > 0 && LogView.Slope(trainAfter) < 0)
                yield return new Finding
                {
                    Kind = "overfitting",
                    Severity = rise > 0.2 ? "critical" : "warning",
                    FirstEpoch = minVal.Epoch,
                    LastEpoch = valLoss[^1].Epoch,
                    Summary = $"Validation loss rose {rise * 100:0.#} % from its minimum {minVal.Value:0.####} at epoch {minVal.Epoch} to {valLoss[^1].Value:0.####}, while training loss kept falling ({trainAfter[0].Value:0.####} → {trainAfter[^1].Value:0.####}).",
                    Evidence = new() { ["val_loss_min"] = minVal.Value, ["val_loss_min_epoch"] = minVal.Epoch, ["val_loss_final"] = valLoss[^1].Value, ["relative_rise"] = rise },
                    Confidence = Math.Min(0.9, 0.5 + rise + after.Count * 0.03),
                };
        }
        else if (valLoss.Count == 0) unchecked_.Add("overfitting by loss: the log has no validation loss");
    }

    public static IEnumerable<Finding> NegativeGap(LogView v, AnalysisOptions o)
    {
        if (v.Gap.Count < 3) yield break;
        var tail = v.Gap.Skip(v.Gap.Count * 2 / 3).ToList();
        double mean = tail.Average(g => g.Gap);
        if (mean >= -o.NegativeGap) yield break;
        var h = v.Log.Hyperparameters;
        var regularizers = new List<string>();
        void Check(string label, params string[] keys)
        {
            foreach (var k in keys)
                if (h.TryGetValue(k, out var s) && double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x) && x > 0)
                { regularizers.Add($"{label} {s}"); return; }
        }
        Check("MixUp", "mixup.mixup_alpha", "mixup"); Check("CutMix", "mixup.cutmix_alpha", "cutmix");
        Check("dropout", "model.dropout", "drop", "dropout"); Check("label smoothing", "regularization.label_smoothing", "smoothing", "label_smoothing");
        Check("drop path", "model.drop_path", "drop_path");
        if (h.TryGetValue("augment.enabled", out var aug) && aug == "true") regularizers.Add("training augmentations");
        yield return new Finding
        {
            Kind = "negative-gap",
            Severity = "info",
            FirstEpoch = tail[0].Epoch,
            LastEpoch = tail[^1].Epoch,
            Summary = $"Validation accuracy is above training accuracy by {-mean * 100:0.##} points on average over the last third (final {LogView.Points(v.Gap[^1].Gap)}). " +
                      (regularizers.Count > 0
                          ? $"Training accuracy is measured under {string.Join(", ", regularizers)}, which validation does not see: this is expected and no sign of a problem."
                          : "Training accuracy is measured on augmented batches in training mode, validation is not: the gap is no sign of a problem by itself."),
            Evidence = new() { ["mean_gap_last_third"] = mean, ["final_gap"] = v.Gap[^1].Gap },
            Confidence = regularizers.Count > 0 ? 0.8 : 0.6,
        };
    }

    /// <summary>A schedule change (resolution, augmentations, MixUp, scheduler...) after which the gap or the metric's trend moved.</summary>
    public static IEnumerable<Finding> ScheduleShifts(LogView v, AnalysisOptions o)
    {
        foreach (var group in v.Log.Events.Where(e => e.Kind == "schedule" && e.Key != "phase").GroupBy(e => e.Epoch))
        {
            int at = group.Key;
            var changes = string.Join(", ", group.Select(e => $"{e.Key} {e.From} → {e.To}"));
            var before = v.Gap.Where(g => g.Epoch >= at - o.ShiftWindow && g.Epoch < at).ToList();
            var after = v.Gap.Where(g => g.Epoch >= at && g.Epoch <= at + o.ShiftWindow + 1).ToList();
            if (before.Count > 0 && after.Count > 0)
            {
                double gapBefore = before.Average(g => g.Gap), gapAfter = after.Max(g => g.Gap);
                // The gap from the change to the next one (or the end): a jump only matters if the gap then exceeds the threshold.
                int next = v.Log.Events.Where(e => e.Kind == "schedule" && e.Key != "phase" && e.Epoch > at).Select(e => e.Epoch).DefaultIfEmpty(int.MaxValue).Min();
                double gapLater = v.Gap.Where(g => g.Epoch >= at && g.Epoch < next).Select(g => g.Gap).DefaultIfEmpty(gapAfter).Max();
                if (gapAfter - gapBefore > o.ShiftGap)
                {
                    int opens = after.FirstOrDefault(g => g.Gap - gapBefore > o.ShiftGap).Epoch;
                    bool augmentsOff = group.Any(e => e.Key == "augment" && e.To == "off") || group.Any(e => e.Key == "augment_level" && e.To == "minimal")
                                       || group.Any(e => e.Key is "mixup_alpha" or "cutmix_alpha" && e.To == "0");
                    bool problem = gapLater > o.GapWarning;
                    yield return new Finding
                    {
                        Kind = "schedule-shift",
                        Severity = !problem ? "info" : gapLater > o.GapCritical || augmentsOff ? "critical" : "warning",
                        FirstEpoch = at,
                        LastEpoch = after[^1].Epoch,
                        Summary = $"At epoch {at} ({changes}) the train-validation gap jumped from {LogView.Points(gapBefore)} (mean of the {before.Count} epochs before) " +
                                  $"to {LogView.Points(gapAfter)}, opening from epoch {opens}" +
                                  (!problem
                                      ? $"; it stays below the {o.GapWarning * 100:0.#}-point threshold (at most {LogView.Points(gapLater)} until the next change): training accuracy rose to meet validation once the training-time regularization eased, which is no overfitting."
                                      : augmentsOff ? $" and reached {LogView.Points(gapLater)}: training regularization was switched off, so the model fits the training images instead of generalizing."
                                      : $" and reached {LogView.Points(gapLater)}."),
                        Evidence = new() { ["event_epoch"] = at, ["gap_before"] = gapBefore, ["gap_after_max"] = gapAfter, ["gap_until_next_change"] = gapLater, ["gap_opens_epoch"] = opens },
                        Confidence = Math.Min(0.95, 0.6 + (gapAfter - gapBefore) * 3),
                    };
                    continue;
                }
            }
            // Without a gap, a break in the metric's trend at the change is still worth a note.
            var vb = v.Values.Where(p => p.Epoch >= at - o.ShiftWindow && p.Epoch < at).ToList();
            var va = v.Values.Where(p => p.Epoch >= at && p.Epoch <= at + o.ShiftWindow).ToList();
            if (vb.Count >= 2 && va.Count >= 2)
            {
                double jump = (va[0].Value - vb[^1].Value) * (v.HigherIsBetter ? 1 : -1);
                double typical = vb.Zip(vb.Skip(1), (a, b) => Math.Abs(b.Value - a.Value)).DefaultIfEmpty(0).Average();
                if (jump < -Math.Max(2 * typical, o.PlateauDelta))
                    yield return new Finding
                    {
                        Kind = "schedule-shift",
                        Severity = "info",
                        FirstEpoch = at,
                        LastEpoch = va[^1].Epoch,
                        Summary = $"At epoch {at} ({changes}) {v.Metric} dropped from {v.Format(vb[^1].Value)} to {v.Format(va[0].Value)}, more than its usual epoch-to-epoch change ({v.Format(typical)}); it recovered to {v.Format(va[^1].Value)} by epoch {va[^1].Epoch}.",
                        Evidence = new() { ["event_epoch"] = at, ["before"] = vb[^1].Value, ["after"] = va[0].Value, ["typical_change"] = typical },
                        Confidence = 0.6,
                    };
            }
        }
    }
}
