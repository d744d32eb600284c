using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>The run ended worse than its best epoch; across folds, how many folds did.</summary>
internal sealed class Degradation : FindingKind
{
    public const string Id = "degradation";
    public override string Name => Id;
    public override string Documentation =>
        "the final value is worse than the best by over 0.01 (absolute for accuracy, relative for loss); across " +
        "folds: how many folds ended worse than their best";
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new RecommendationKind[] { RecommendationRegistry.LowerLearningRate, RecommendationRegistry.KeepBestCheckpoint };

    /// <summary>The best and final values and how much worse the final is, when it is worse by more than the threshold.</summary>
    public static (int BestEpoch, double Best, int FinalEpoch, double Final, double Worse)? Measure(LogView v, AnalysisOptions o)
    {
        if (v.Best is not { } best || v.Final is not { } final || best.Epoch == final.Epoch) return null;
        double worse = v.Worse(final.Value, best.Value);
        return worse > o.DegradationDelta ? (best.Epoch, best.Value, final.Epoch, final.Value, worse) : null;
    }

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        if (Measure(v, c.Options) is not { } d) yield break;
        yield return new Finding
        {
            Kind = Id,
            Severity = d.Worse > 3 * c.Options.DegradationDelta ? Severity.Critical : Severity.Warning,
            FirstEpoch = d.BestEpoch,
            LastEpoch = d.FinalEpoch,
            Summary = $"{v.Metric} was best at epoch {d.BestEpoch} ({v.Format(d.Best)}) and ended at {v.Format(d.Final)}: " +
                      (v.HigherIsBetter ? $"{LogView.Points(d.Worse)} lower" : $"{d.Worse * 100:0.#} % higher") + " than its best.",
            Evidence = new() { ["best"] = d.Best, ["best_epoch"] = d.BestEpoch, ["final"] = d.Final, ["degradation"] = d.Worse },
            Confidence = Math.Min(0.9, 0.55 + d.Worse * (v.HigherIsBetter ? 5 : 1)),
        };
    }

    public override IEnumerable<Finding> DetectAcrossFolds(FoldsCheck c)
    {
        var folds = c.Folds;
        if (folds.Count < 2) yield break;
        var complete = folds.Where(f => f.Best is not null && f.Final is not null).ToList();
        if (complete.Count < 2) yield break;
        var degraded = complete.Where(f => f.Worse(f.Final!.Value.Value, f.Best!.Value.Value) > c.Options.DegradationDelta).ToList();
        if (degraded.Count == 0) yield break;
        double mean = complete.Average(f => f.Final!.Value.Value - f.Best!.Value.Value);
        var worst = degraded.OrderByDescending(f => f.Worse(f.Final!.Value.Value, f.Best!.Value.Value)).First();
        yield return new Finding
        {
            Kind = Id, Severity = degraded.Count * 2 > folds.Count ? Severity.Critical : Severity.Warning, Run = "all folds",
            Summary = $"{degraded.Count} of {folds.Count} folds ended worse than their best epoch; mean change from best to " +
                      $"final {mean:+0.####;-0.####}, worst {worst.Log.Name} ({worst.Format(worst.Best!.Value.Value)} at " +
                      $"epoch {worst.Best!.Value.Epoch} → {worst.Format(worst.Final!.Value.Value)}).",
            Evidence = new() { ["degraded_folds"] = degraded.Count, ["folds"] = folds.Count, ["mean_best_to_final"] = mean },
            Confidence = 0.8,
        };
    }
}
