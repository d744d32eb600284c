using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>The metric swings up and down from epoch to epoch instead of settling.</summary>
internal sealed class Oscillation : FindingKind
{
    public const string Id = "oscillation";
    public override string Name => Id;
    public override string Documentation =>
        "the metric changes direction in most of the last 10 epochs, by more than twice the plateau delta";
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.SmoothUpdates };

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var tail = v.Values.Skip(Math.Max(0, v.Values.Count - 10)).ToList();
        if (tail.Count < 6) yield break;
        var diffs = tail.Zip(tail.Skip(1), (a, b) => b.Value - a.Value).ToList();
        int flips = diffs.Zip(diffs.Skip(1), (a, b) => Math.Sign(a) * Math.Sign(b) < 0 ? 1 : 0).Sum();
        double amplitude = diffs.Average(Math.Abs);
        double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(tail.Average(p => p.Value)), 1e-12);
        if (flips < 0.6 * (diffs.Count - 1) || amplitude / scale < 2 * c.Options.PlateauDelta) yield break;
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, FirstEpoch = tail[0].Epoch, LastEpoch = tail[^1].Epoch,
            Summary = $"{v.Metric} changed direction {flips} times in the last {diffs.Count} epoch steps, by " +
                      $"{v.Format(amplitude)} on average: the updates are too noisy (learning rate or batch size) to settle.",
            Evidence = new() { ["direction_changes"] = flips, ["steps"] = diffs.Count, ["mean_abs_change"] = amplitude },
            Confidence = 0.6,
        };
    }
}
