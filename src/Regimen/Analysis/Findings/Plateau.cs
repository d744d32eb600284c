using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// The metric stopped improving beyond its noise: converged (info) when the rate has annealed, else a warning.
/// </summary>
internal sealed class Plateau : FindingKind
{
    public const string Id = "plateau";
    public override string Name => Id;
    public override string Documentation =>
        "over the last 5 epochs (`--plateau-epochs`) the best value gained less than 0.002 (relative for losses, " +
        "`--plateau-delta`) or less than two standard errors of the difference (the window's best is the largest " +
        "of 5 noisy values): no gain the noise would not explain; " +
        "info when the learning rate has already annealed (converged), warning otherwise or below `--target`";
    public override int MinimumEpochs(AnalysisOptions o) => o.PlateauEpochs + 2;
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.BreakPlateau };
    public override string? AnsweredSeverity => Severity.Warning;

    /// <summary>Standard errors of the difference a gain of the window's best needs to be progress.</summary>
    const double ProgressSe = 2;

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        if (v.Values.Count < o.PlateauEpochs + 2) yield break;
        var head = v.Values.Take(v.Values.Count - o.PlateauEpochs).ToList();
        var tail = v.Values.Skip(v.Values.Count - o.PlateauEpochs).ToList();
        double bestBefore = v.HigherIsBetter ? head.Max(p => p.Value) : head.Min(p => p.Value);
        double bestTail = v.HigherIsBetter ? tail.Max(p => p.Value) : tail.Min(p => p.Value);
        double gain = v.HigherIsBetter ? bestTail - bestBefore
            : (bestBefore - bestTail) / Math.Max(Math.Abs(bestBefore), 1e-12);
        var judgement = Judgement.Of(v, gain, v.DifferenceNoise(bestTail, bestBefore));
        // The best of the window is the largest of 5 noisy values, above their level by about 1.2 SE of one value
        // from noise alone: a gain is progress only beyond 2 SE of the difference (2.8 SE of one value).
        if (gain >= o.PlateauDelta && judgement.Beyond(ProgressSe)) yield break;
        bool annealed = v.Annealed;
        bool belowTarget = o.Target is { } target && v.Better(target, bestTail) && v.Better(target, bestBefore);
        double best = v.HigherIsBetter ? Math.Max(bestBefore, bestTail) : Math.Min(bestBefore, bestTail);
        var evidence = new Dictionary<string, double>
        {
            ["gain_last_epochs"] = gain, ["best_before"] = bestBefore, ["best_in_window"] = bestTail,
            ["window_epochs"] = o.PlateauEpochs,
        };
        judgement.AddTo(evidence);
        string gained = v.HigherIsBetter ? LogView.Points(gain) : $"{Units.Percent(gain)}";
        yield return new Finding
        {
            Kind = Id,
            Severity = belowTarget ? Severity.Warning : annealed ? Severity.Info : Severity.Warning,
            FirstEpoch = tail[0].Epoch,
            LastEpoch = tail[^1].Epoch,
            Summary = $"{v.Metric} gained {gained} over the last {o.PlateauEpochs} epochs (best {v.Format(best)}; " +
                      $"gain {judgement.Text})" +
                      (belowTarget ? $", below the target {v.Format(o.Target!.Value)}."
                          : annealed ? ", with the learning rate already annealed: the run has converged." : "."),
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = annealed && !belowTarget ? 0.5 : 0.75,
        };
    }
}
