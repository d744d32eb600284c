using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>The run ended still improving: stopped before it converged.</summary>
internal sealed class Underfitting : FindingKind
{
    public const string Id = "underfitting";
    public override string Name => Id;
    public override bool JudgedAtEnd => true;
    public override string Documentation =>
        "the run ends at its best with training loss and the metric still improving and no gap: stopped before " +
        "converging (info when the schedule had annealed)";
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.TrainLonger };

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        // Only epochs since the last schedule change: a change (MixUp off, a new resolution) moves the loss by itself.
        int since = c.Log.Events.Where(e => e.Kind == "schedule" && e.Key != "phase").Select(e => e.Epoch)
            .DefaultIfEmpty(int.MinValue).Max();
        var loss = c.Log.Series(e => e.TrainLoss).Where(p => p.Epoch >= since).ToList();
        if (loss.Count < 3 || v.Values.Count < 4) yield break;
        var lastLoss = loss.Skip(loss.Count - 3).ToList();
        double lossDrop = (lastLoss[0].Value - lastLoss[^1].Value) / Math.Max(Math.Abs(lastLoss[0].Value), 1e-12) / 2;
        var lastValues = v.Values.Skip(v.Values.Count - 3).ToList();
        double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(lastValues[0].Value), 1e-12);
        double metricGain = (lastValues[^1].Value - lastValues[0].Value) * (v.HigherIsBetter ? 1 : -1) / scale / 2;
        // Still learning: the best epoch is (nearly) the last, and both series moved the right way over the last epochs.
        bool stillLearning = lossDrop > 0.01 && metricGain > o.PlateauDelta / 2 && v.Best is { } b && b.Epoch >= v.LastEpoch - 1
                             && v.Better(lastValues[^1].Value, lastValues[^2].Value);
        bool smallGap = v.Gap.Count == 0 || v.Gap[^1].Gap < o.GapWarning / 2;
        bool annealed = v.Annealed;
        if (!stillLearning || !smallGap || (annealed && c.Log.PlannedEpochs is { } planned && v.LastEpoch + 1 < planned))
            yield break;
        yield return new Finding
        {
            Kind = Id, Severity = annealed ? Severity.Info : Severity.Warning,
            FirstEpoch = lastValues[0].Epoch, LastEpoch = lastValues[^1].Epoch,
            Summary = $"The run ended still improving: training loss fell {lossDrop * 100:0.#} % per epoch and {v.Metric} " +
                      $"gained {(v.HigherIsBetter ? LogView.Points(metricGain) : $"{metricGain * 100:0.##} %")} per epoch " +
                      "over the last epochs, " +
                      (annealed
                          ? "with no sign of overfitting, as the learning rate annealed to its end: the schedule, not the " +
                            "model, set the limit, and a longer schedule would likely score higher."
                          : "with no sign of overfitting, and the learning rate still high: it stopped before it converged."),
            Evidence = new()
            {
                ["train_loss_drop_per_epoch"] = lossDrop, ["metric_gain_per_epoch"] = metricGain,
                ["final_gap"] = v.Gap.Count > 0 ? v.Gap[^1].Gap : double.NaN,
            },
            Confidence = 0.6,
        };
    }
}
