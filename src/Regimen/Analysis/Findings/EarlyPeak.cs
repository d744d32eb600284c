using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// The best epoch came early and degradation beyond the noise followed: the learning rate is likely too high.
/// </summary>
internal sealed class EarlyPeak : FindingKind
{
    public const string Id = "early-peak";
    public override string Name => Id;
    public override string Documentation =>
        "the best epoch lies in the first half of the run and a `degradation` beyond the noise follows (learning " +
        "rate too high, seed 004); across folds: in at least half the folds, with the folds' degradation beyond the " +
        "noise";
    public override int MinimumEpochs(AnalysisOptions o) => 4;
    public override bool AcrossFolds => true;
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new[] { RecommendationRegistry.LowerLearningRate };
    public override bool ListedPerFold => false;

    static bool Early(LogView v, int bestEpoch, double fraction)
    {
        int span = v.LastEpoch - v.FirstEpoch + 1;
        return bestEpoch - v.FirstEpoch + 1 <= Math.Max(1, fraction * (v.Log.PlannedEpochs ?? span));
    }

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        if (Degradation.Measure(v, o) is not { Severity: not null } d || !Early(v, d.BestEpoch, o.EarlyPeakFraction))
            yield break;
        var evidence = new Dictionary<string, double>
        {
            ["best_epoch"] = d.BestEpoch, ["epochs"] = v.Log.PlannedEpochs ?? v.LastEpoch - v.FirstEpoch + 1,
            ["degradation"] = d.Worse,
        };
        d.Judgement.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id,
            Severity = Severity.Warning,
            FirstEpoch = d.BestEpoch,
            LastEpoch = d.FinalEpoch,
            Summary = $"The best epoch ({d.BestEpoch}) came in the first {o.EarlyPeakFraction * 100:0} % of the run " +
                      $"and the rest only lost ground ({d.Judgement.Text}): the learning rate is likely too high for " +
                      "this stage (fine-tuning especially), moving the weights away from the good solution.",
            Evidence = evidence,
            Noise = d.Judgement.Text,
            Confidence = 0.6,
        };
    }

    public override IEnumerable<Finding> DetectAcrossFolds(FoldsCheck c)
    {
        if (c.Folds.Count < 2 || Degradation.AcrossFoldsMeasure(c) is not { Severity: not null } pooled) yield break;
        var early = c.Folds.Where(f => f.Best is { } b && f.Log.PlannedEpochs is { } p
                                       && b.Epoch - f.FirstEpoch + 1 <= c.Options.EarlyPeakFraction * p
                                       && f.Final is { } fin &&
                                           f.Worse(fin.Value, b.Value) > c.Options.DegradationDelta).ToList();
        if (early.Count * 2 < c.Folds.Count) yield break;
        var evidence = new Dictionary<string, double> { ["early_peak_folds"] = early.Count, ["folds"] = c.Folds.Count };
        pooled.Mean.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, Run = "all folds",
            Summary = $"In {early.Count} of {c.Folds.Count} folds the best epoch came early (epochs " +
                      $"{string.Join(", ", early.Select(f => f.Best!.Value.Epoch))}) and was followed by decline " +
                          $"(mean " +
                      $"degradation {pooled.Mean.Text}): the learning rate is likely too high after the first " +
                          $"fine-tuning epochs.",
            Evidence = evidence,
            Noise = pooled.Mean.Text,
            Confidence = 0.65,
        };
    }
}
