using Regimen.Analysis.Recommendations;
using Regimen.Runs;

namespace Regimen.Analysis.Findings;

/// <summary>The folds of one recipe end further apart than the evaluation noise explains (seed 004).</summary>
internal sealed class FoldSpread : FindingKind
{
    public const string Id = "fold-spread";
    public override string Name => Id;
    public override string Documentation =>
        "the final values of an experiment's folds spread (std) more than 0.01 (relative for losses) and, where the " +
        "validation size is known, more than the warning number of binomial standard errors of one fold's value " +
        "(the spread of the folds is the training noise; only the evaluation noise is taken out)";
    public override int MinimumEpochs(AnalysisOptions o) => 4;
    public override bool AcrossFolds => true;
    public override bool InRuns => false;
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
        // The evaluation noise of one fold's value: binomial where the validation size is known. A series' own
        // epoch-to-epoch spread is no bar here: it holds the very training noise the fold spread measures.
        var binomial = folds.Where(f => f.Final is not null && f.Noise.ValidationSize is not null)
            .Select(f => f.MetricNoise(f.Final!.Value.Value)).ToList();
        var noise = v0.HigherIsBetter && binomial.Count == final.Length
            ? new Noise(NoiseModel.Pool(binomial.Select(n => n.Se)), binomial[0].Basis)
            : Noise.Unknown("validation size unknown (--val-size N): judged by the 0.01 threshold alone");
        var judgement = v0.HigherIsBetter ? Judgement.Points(spread, noise)
            : Judgement.Of(v0, spread / scale, noise.Times(1 / scale));
        if (judgement.Grade(c.Options, c.Options.FoldSpread) is null) yield break;
        var evidence = new Dictionary<string, double>
        {
            ["final_mean"] = final.Average(), ["final_std"] = spread, ["best_mean"] = best.Average(),
            ["best_std"] = ExperimentSummary.Std(best),
        };
        judgement.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, Run = "all folds",
            Summary = $"Final {v0.Metric} varies across the {folds.Count} folds: {v0.Format(final.Average())} ± " +
                      $"{v0.Format(spread)} (std), from {v0.Format(final.Min())} to {v0.Format(final.Max())}; best " +
                      $"{v0.Format(best.Average())} ± {v0.Format(ExperimentSummary.Std(best))} (spread " +
                      $"{judgement.Text}).",
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = 0.7,
        };
    }
}
