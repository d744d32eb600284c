using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>Training accuracy pulling away from validation, or validation loss rising while training loss falls.</summary>
internal sealed class Overfitting : FindingKind
{
    public const string Id = "overfitting";
    public override string Name => Id;
    public override string Documentation =>
        "the train-validation accuracy gap ends above the gap threshold (0.05, `--gap`; critical above 0.10), reported " +
        "from the epoch it stays above it; or validation loss rises over 5 % from its minimum while training loss " +
        "keeps falling";
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.StrongerRegularization };

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        var log = c.Log;
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
                    Kind = Id,
                    Severity = last.Gap > o.GapCritical ? Severity.Critical : Severity.Warning,
                    FirstEpoch = v.Gap[onset].Epoch,
                    LastEpoch = last.Epoch,
                    Summary = $"Training accuracy is {LogView.Points(last.Gap)} above validation at epoch {last.Epoch} " +
                              $"({final.TrainAccuracy * 100:0.##} % vs {final.ValAccuracy * 100:0.##} %); the gap has " +
                              $"stayed above {o.GapWarning * 100:0.#} points since epoch {v.Gap[onset].Epoch}" +
                              (growing ? $" and grew from {LogView.Points(before)}." : "."),
                    Evidence = new()
                    {
                        ["final_gap"] = last.Gap, ["gap_before_onset"] = before, ["onset_epoch"] = v.Gap[onset].Epoch,
                        ["final_train_acc"] = final.TrainAccuracy ?? double.NaN,
                        ["final_val_acc"] = final.ValAccuracy ?? double.NaN,
                    },
                    Confidence = Math.Min(0.95, 0.5 + (last.Gap - o.GapWarning) * 4 + (v.Gap.Count - onset) * 0.03),
                };
            }
        }
        else
            c.NotChecked("overfitting by accuracy gap: the log has no training accuracy" +
                         (log.Format is "timm" or "ffcv" or "huggingface" ? $" ({log.Format} does not record it)" : ""));

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
                    Kind = Id,
                    Severity = rise > 0.2 ? Severity.Critical : Severity.Warning,
                    FirstEpoch = minVal.Epoch,
                    LastEpoch = valLoss[^1].Epoch,
                    Summary = $"Validation loss rose {rise * 100:0.#} % from its minimum {minVal.Value:0.####} at epoch " +
                              $"{minVal.Epoch} to {valLoss[^1].Value:0.####}, while training loss kept falling " +
                              $"({trainAfter[0].Value:0.####} → {trainAfter[^1].Value:0.####}).",
                    Evidence = new()
                    {
                        ["val_loss_min"] = minVal.Value, ["val_loss_min_epoch"] = minVal.Epoch,
                        ["val_loss_final"] = valLoss[^1].Value, ["relative_rise"] = rise,
                    },
                    Confidence = Math.Min(0.9, 0.5 + rise + after.Count * 0.03),
                };
        }
        else if (valLoss.Count == 0) c.NotChecked("overfitting by loss: the log has no validation loss");
    }
}
