namespace Regimen.Analysis.Findings;

/// <summary>The metric had not reached a milestone the user set by its epoch (seed 000's checkpoints).</summary>
internal sealed class MilestoneMissed : FindingKind
{
    public const string Id = "milestone-missed";
    public override string Name => Id;
    public override string Documentation =>
        "the metric had not reached a `--milestone EPOCH=VALUE` by that epoch, short by the warning number of " +
        "standard errors (seed 000's checkpoints to hit)";

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        foreach (var (epoch, minimum) in c.Options.Milestones.OrderBy(m => m.Key))
        {
            var at = v.Values.Where(p => p.Epoch <= epoch).ToList();
            if (at.Count == 0 || v.LastEpoch < epoch) continue;
            double best = v.HigherIsBetter ? at.Max(p => p.Value) : at.Min(p => p.Value);
            if (!v.Better(minimum, best) || minimum == best) continue;
            double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(best), 1e-12);
            var judgement = Judgement.Of(v, Math.Abs(minimum - best) / scale, v.MetricNoise(best).Times(1 / scale));
            if (!judgement.Beyond(c.Options.WarningSe)) continue;
            var evidence = new Dictionary<string, double>
            {
                ["epoch"] = epoch, ["milestone"] = minimum,
                ["reached"] = best
            };
            judgement.AddTo(evidence);
            yield return new Finding
            {
                Kind = Id, Severity = Severity.Warning, FirstEpoch = epoch, LastEpoch = epoch,
                Summary = $"By epoch {epoch} {v.Metric} reached {v.Format(best)}, short of the milestone " +
                          $"{v.Format(minimum)} ({judgement.Text}).",
                Evidence = evidence,
                Noise = judgement.Text,
                Confidence = 0.9,
            };
        }
    }
}
