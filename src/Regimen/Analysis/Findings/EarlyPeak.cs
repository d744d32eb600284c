using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>The best epoch came early and degradation followed: the learning rate is likely too high (seed 004).</summary>
internal sealed class EarlyPeak : FindingKind
{
    public const string Id = "early-peak";
    public override string Name => Id;
    public override string Documentation =>
        "the best epoch lies in the first half of the run and degradation follows (learning rate too high, seed 004)";
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.LowerLearningRate };
    public override bool ListedPerFold => false;

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        if (Degradation.Measure(v, o) is not { } d) yield break;
        int span = v.LastEpoch - v.FirstEpoch + 1;
        bool early = d.BestEpoch - v.FirstEpoch + 1 <= Math.Max(1, o.EarlyPeakFraction * (v.Log.PlannedEpochs ?? span));
        if (!early) yield break;
        yield return new Finding
        {
            Kind = Id,
            Severity = Severity.Warning,
            FirstEpoch = d.BestEpoch,
            LastEpoch = d.FinalEpoch,
            Summary = $"The best epoch ({d.BestEpoch}) came in the first {o.EarlyPeakFraction * 100:0} % of the run and the " +
                      "rest only lost ground: the learning rate is likely too high for this stage (fine-tuning especially), " +
                      "moving the weights away from the good solution.",
            Evidence = new() { ["best_epoch"] = d.BestEpoch, ["epochs"] = v.Log.PlannedEpochs ?? span, ["degradation"] = d.Worse },
            Confidence = 0.6,
        };
    }

    public override IEnumerable<Finding> DetectAcrossFolds(FoldsCheck c)
    {
        if (c.Folds.Count < 2) yield break;
        var early = c.Folds.Where(f => f.Best is { } b && f.Log.PlannedEpochs is { } p
                                       && b.Epoch - f.FirstEpoch + 1 <= c.Options.EarlyPeakFraction * p
                                       && f.Final is { } fin && f.Worse(fin.Value, b.Value) > c.Options.DegradationDelta).ToList();
        if (early.Count * 2 < c.Folds.Count) yield break;
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, Run = "all folds",
            Summary = $"In {early.Count} of {c.Folds.Count} folds the best epoch came early (epochs " +
                      $"{string.Join(", ", early.Select(f => f.Best!.Value.Epoch))}) and was followed by decline: the " +
                      "learning rate is likely too high after the first fine-tuning epochs.",
            Evidence = new() { ["early_peak_folds"] = early.Count, ["folds"] = c.Folds.Count },
            Confidence = 0.65,
        };
    }
}
