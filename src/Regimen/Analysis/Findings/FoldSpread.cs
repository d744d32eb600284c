using Regimen.Analysis.Recommendations;
using Regimen.Runs;

namespace Regimen.Analysis.Findings;

/// <summary>The folds of one recipe end far apart (seed 004).</summary>
internal sealed class FoldSpread : FindingKind
{
    public const string Id = "fold-spread";
    public override string Name => Id;
    public override string Documentation =>
        "the final values of an experiment's folds spread (std) more than 0.01 (relative for losses)";
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.SteadierFolds };

    public override IEnumerable<Finding> DetectAcrossFolds(FoldsCheck c)
    {
        var folds = c.Folds;
        if (folds.Count < 2) yield break;
        var v0 = folds[0];
        var best = folds.Where(f => f.Best is not null).Select(f => f.Best!.Value.Value).ToArray();
        var final = folds.Where(f => f.Final is not null).Select(f => f.Final!.Value.Value).ToArray();
        if (best.Length < 2 || final.Length < 2) yield break;
        double spread = ExperimentSummary.Std(final);
        double scale = v0.HigherIsBetter ? 1 : Math.Max(Math.Abs(final.Average()), 1e-12);
        if (spread / scale <= c.Options.FoldSpread) yield break;
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, Run = "all folds",
            Summary = $"Final {v0.Metric} varies across the {folds.Count} folds: {v0.Format(final.Average())} ± " +
                      $"{v0.Format(spread)} (std), from {v0.Format(final.Min())} to {v0.Format(final.Max())}; best " +
                      $"{v0.Format(best.Average())} ± {v0.Format(ExperimentSummary.Std(best))}.",
            Evidence = new()
            {
                ["final_mean"] = final.Average(), ["final_std"] = spread, ["best_mean"] = best.Average(),
                ["best_std"] = ExperimentSummary.Std(best),
            },
            Confidence = 0.7,
        };
    }
}
