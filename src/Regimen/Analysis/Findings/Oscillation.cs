using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// The metric swings up and down from epoch to epoch, by more than its evaluation noise, without getting anywhere:
/// the updates are too noisy to settle.
/// </summary>
internal sealed class Oscillation : FindingKind
{
    public const string Id = "oscillation";
    public override string Name => Id;
    public override string Documentation =>
        "over the last 10 epochs the metric changes direction in most steps, makes no progress the swings would not " +
        "explain (the slope of a line through them is under 2 of its standard errors), and swings by more than " +
        "twice the plateau delta; where the validation size is known, its mean absolute change over sqrt(2/pi) must " +
        "also be the warning number of binomial standard errors of a difference (swings the evaluation noise does " +
        "not explain)";
    public override int MinimumEpochs(AnalysisOptions o) => 6;
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.SmoothUpdates };

    /// <summary>
    /// The mean absolute value of a standard normal, sqrt(2/pi): the mean |change| pure noise makes, in SE.
    /// </summary>
    const double MeanAbsoluteNormal = 0.7979;

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var tail = v.Values.Skip(Math.Max(0, v.Values.Count - 10)).ToList();
        if (tail.Count < 6) yield break;
        var diffs = tail.Zip(tail.Skip(1), (a, b) => b.Value - a.Value).ToList();
        int flips = diffs.Zip(diffs.Skip(1), (a, b) => Math.Sign(a) * Math.Sign(b) < 0 ? 1 : 0).Sum();
        double amplitude = diffs.Average(Math.Abs);
        double level = tail.Average(p => p.Value);
        double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(level), 1e-12);
        if (flips < 0.6 * (diffs.Count - 1) || amplitude / scale < 2 * c.Options.PlateauDelta) yield break;
        // A run that climbs (or falls) through its swings is making progress, noisy as it is.
        if (TrendSigmas(tail) >= 2) yield break;
        var noise = v.Noise.ValidationSize is not null && v.HigherIsBetter
            ? v.DifferenceNoise(level, level)
            : Noise.Unknown("validation size unknown (--val-size N): judged by the size threshold alone");
        var judgement = Judgement.Of(v, amplitude / MeanAbsoluteNormal / scale, noise);
        if (!judgement.Beyond(c.Options.WarningSe)) yield break;
        var evidence = new Dictionary<string, double>
        {
            ["direction_changes"] = flips, ["steps"] = diffs.Count, ["mean_abs_change"] = amplitude,
        };
        judgement.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, FirstEpoch = tail[0].Epoch, LastEpoch = tail[^1].Epoch,
            Summary = $"{v.Metric} changed direction {flips} times in the last {diffs.Count} epoch steps, by " +
                      $"{v.Format(amplitude)} on average, without a trend ({judgement.Text} for the swings): the " +
                      "updates are too noisy (learning rate or batch size) to settle.",
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = 0.6,
        };
    }

    /// <summary>|slope| over its standard error, for a least-squares line through the points.</summary>
    static double TrendSigmas(List<(int Epoch, double Value)> points)
    {
        double slope = LogView.Slope(points);
        double mx = points.Average(p => p.Epoch), my = points.Average(p => p.Value);
        double sxx = points.Sum(p => (p.Epoch - mx) * (p.Epoch - mx));
        double residual = points.Sum(p => Math.Pow(p.Value - (my + slope * (p.Epoch - mx)), 2));
        double se = Math.Sqrt(residual / Math.Max(1, points.Count - 2) / sxx);
        return se > 0 ? Math.Abs(slope) / se : double.PositiveInfinity;
    }
}
