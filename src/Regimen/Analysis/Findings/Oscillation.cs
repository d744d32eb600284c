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
        "over the last 10 epochs the metric changes direction in at least half of the steps, makes no progress the " +
        "swings would not explain (the slope of a line through them is under 2 of its standard errors), and swings " +
        "by more than twice the plateau delta; where the validation size is known, the mean absolute change must " +
        "also exceed the sqrt(2/pi) binomial standard errors of a difference that evaluation noise alone gives, by " +
        "the warning number of that mean's standard errors (swings the evaluation noise does not explain); (info) " +
        "the same in an earlier 10-epoch stretch, where the validation size is known, for a run that then settled";
    public override int MinimumEpochs(AnalysisOptions o) => 6;
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.SmoothUpdates };

    /// <summary>
    /// The mean absolute value of a standard normal, sqrt(2/pi): the mean |change| pure noise makes, in SE.
    /// </summary>
    const double MeanAbsoluteNormal = 0.7979;
    /// <summary>The standard deviation of the absolute value of a standard normal, sqrt(1 - 2/pi).</summary>
    const double AbsoluteNormalSpread = 0.6028;
    /// <summary>The stretch of epochs a swing is judged over.</summary>
    const int Window = 10;

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        int count = v.Values.Count;
        if (Swings(c, v.Values.Skip(Math.Max(0, count - Window)).ToList()) is { } last)
        {
            yield return last.Finding(v, Severity.Warning, "");
            yield break;
        }
        // An earlier stretch, judged only against the binomial noise (a known validation size): the strongest one.
        if (v.Noise.ValidationSize is null || !v.HigherIsBetter) yield break;
        var earlier = Enumerable.Range(0, Math.Max(0, count - Window))
            .Select(i => Swings(c, v.Values.Skip(i).Take(Window).ToList())).OfType<Swing>()
            .OrderByDescending(w => w.Judgement.Sigmas).FirstOrDefault();
        if (earlier is not null)
            yield return earlier.Finding(v, Severity.Info, $" (then it settled: not in the last {Window} epochs)");
    }

    /// <summary>A stretch of epochs that swings beyond the noise without a trend, or null.</summary>
    static Swing? Swings(RunCheck c, List<(int Epoch, double Value)> tail)
    {
        var v = c.View;
        if (tail.Count < 6) return null;
        var diffs = tail.Zip(tail.Skip(1), (a, b) => b.Value - a.Value).ToList();
        int flips = diffs.Zip(diffs.Skip(1), (a, b) => Math.Sign(a) * Math.Sign(b) < 0 ? 1 : 0).Sum();
        double amplitude = diffs.Average(Math.Abs);
        double level = tail.Average(p => p.Value);
        double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(level), 1e-12);
        // White noise changes direction in 2 of 3 steps on average; a steady climb or a single step far less often.
        if (flips < 0.5 * (diffs.Count - 1) || amplitude / scale < 2 * c.Options.PlateauDelta) return null;
        // A run that climbs (or falls) through its swings is making progress, noisy as it is.
        if (TrendSigmas(tail) >= 2) return null;
        Judgement judgement;
        if (v.Noise.ValidationSize is not null && v.HigherIsBetter)
        {
            // Evaluation noise alone gives a mean |change| of sqrt(2/pi) SE of a difference, known to within
            // sqrt(1 - 2/pi) SE over the square root of the number of changes: the excess over it, in those units.
            var difference = v.DifferenceNoise(level, level);
            var mean = difference.Times(AbsoluteNormalSpread / Math.Sqrt(diffs.Count));
            judgement = Judgement.Of(v, amplitude - MeanAbsoluteNormal * difference.Se, mean);
        }
        else
            judgement = Judgement.Of(v, amplitude / MeanAbsoluteNormal / scale,
                Noise.Unknown("validation size unknown (--val-size N): judged by the size threshold alone"));
        return judgement.Beyond(c.Options.WarningSe) ? new Swing(tail, flips, diffs.Count, amplitude, judgement) : null;
    }

    sealed record Swing(
        List<(int Epoch, double Value)> Tail, int Flips, int Steps, double Amplitude, Judgement Judgement)
    {
        public Finding Finding(LogView v, string severity, string settled)
        {
            var evidence = new Dictionary<string, double>
            {
                ["direction_changes"] = Flips, ["steps"] = Steps, ["mean_abs_change"] = Amplitude,
            };
            Judgement.AddTo(evidence);
            return new Finding
            {
                Kind = Id, Severity = severity, FirstEpoch = Tail[0].Epoch, LastEpoch = Tail[^1].Epoch,
                Summary = $"{v.Metric} changed direction {Flips} times in {Steps} epoch steps (epochs " +
                          $"{Tail[0].Epoch}-" +
                          $"{Tail[^1].Epoch}), by {v.Format(Amplitude)} on average, without a trend (the excess over " +
                          $"the evaluation noise: {Judgement.Text}){settled}: the updates are too noisy (learning " +
                          "rate or batch size) to settle.",
                Evidence = evidence,
                Noise = Judgement.Text,
                Confidence = 0.6,
            };
        }
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
