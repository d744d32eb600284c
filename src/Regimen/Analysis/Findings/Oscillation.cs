using System.Runtime.InteropServices;
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
        "swings would not explain (the slope of a line through them is under 2 of its standard errors, unless the " +
        "mean change is over 3 times the slope and 4 standard errors of a difference of the evaluation noise: " +
        "swings that dwarf the progress), and swings " +
        "by more than twice the plateau delta; where the validation size is known (else, for validation accuracy, " +
        "on the least size its smallest step between two values allows, the most its noise can be), the mean " +
        "absolute change must also exceed the sqrt(2/pi) binomial standard errors of a difference that evaluation " +
        "noise alone gives, by the warning number of that mean's standard errors (swings the evaluation noise does " +
        "not explain); (info) the same in an earlier 10-epoch stretch, where that noise is known, for a run that " +
        "then settled";
    public override int MinimumEpochs(AnalysisOptions o) => 6;
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.SmoothUpdates };

    /// <summary>
    /// The mean absolute value of a standard normal, sqrt(2/pi): the mean |change| pure noise makes, in SE.
    /// </summary>
    const double MeanAbsoluteNormal = 0.7979;
    /// <summary>The standard deviation of the absolute value of a standard normal, sqrt(1 - 2/pi).</summary>
    const double AbsoluteNormalSpread = 0.6028;
    /// <summary>How many times the trend's change per epoch the mean change must be to outweigh it.</summary>
    const double SwingsOverTrend = 3;
    /// <summary>How many SE of a difference the mean change must be for swings to outweigh a trend.</summary>
    const double SwingsOverNoise = 4;
    /// <summary>The stretch of epochs a swing is judged over.</summary>
    const int Window = 10;

    /// <summary>A change of the metric: accuracy points ("8.96 pt", not "8.96 %", a level), or the loss's
    /// units.</summary>
    static string Change(LogView v, double change) =>
        v.HigherIsBetter ? Units.Points(change).TrimStart('+') : v.Format(change);

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        int count = v.Values.Count;
        // The evaluation noise once per run, not per stretch: a log of 10^6 epochs has 10^6 stretches.
        var evaluation = EvaluationNoise(v);
        if (Swings(c, CollectionsMarshal.AsSpan(v.Values)[Math.Max(0, count - Window)..], evaluation) is { } last)
        {
            yield return last.Finding(v, Severity.Warning, "");
            yield break;
        }
        // An earlier stretch, judged only against the binomial noise (a known validation size): the strongest one.
        if (evaluation is null) yield break;
        if (Strongest(c, count - Window, evaluation) is { } earlier)
            yield return earlier.Finding(v, Severity.Info, $" (then it settled: not in the last {Window} epochs)");
    }

    /// <summary>
    /// The swinging stretch of <see cref="Window"/> epochs starting before <paramref name="starts"/> with the most
    /// standard errors (the first of equals), or null. A log of 10^6 epochs has 10^6 stretches: none is copied.
    /// </summary>
    static Swing? Strongest(RunCheck c, int starts, Func<double, Noise> evaluation)
    {
        var values = CollectionsMarshal.AsSpan(c.View.Values);
        Swing? best = null;
        for (int i = 0; i < starts; i++)
            if (Swings(c, values.Slice(i, Window), evaluation) is { } swing
                && (best is null || swing.Judgement.Sigmas.CompareTo(best.Judgement.Sigmas) > 0))
                best = swing;
        return best;
    }

    /// <summary>A stretch of epochs that swings beyond the noise without a trend, or null.</summary>
    static Swing? Swings(RunCheck c, ReadOnlySpan<(int Epoch, double Value)> tail,
        Func<double, Noise>? evaluation)
    {
        var v = c.View;
        if (tail.Length < 6) return null;
        Span<double> diffs = stackalloc double[tail.Length - 1];
        for (int i = 0; i < diffs.Length; i++) diffs[i] = tail[i + 1].Value - tail[i].Value;
        int flips = 0;
        for (int i = 0; i + 1 < diffs.Length; i++) flips += Math.Sign(diffs[i]) * Math.Sign(diffs[i + 1]) < 0 ? 1 : 0;
        // Sums in order, from the first value, as Enumerable.Average adds: the same numbers as the definition.
        double amplitude = Math.Abs(diffs[0]), level = tail[0].Value;
        for (int i = 1; i < diffs.Length; i++) amplitude += Math.Abs(diffs[i]);
        for (int i = 1; i < tail.Length; i++) level += tail[i].Value;
        amplitude /= diffs.Length;
        level /= tail.Length;
        double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(level), 1e-12);
        // White noise changes direction in 2 of 3 steps on average; a steady climb or a single step far less often.
        if (flips < 0.5 * (diffs.Length - 1) || amplitude / scale < 2 * c.Options.PlateauDelta) return null;
        var difference = evaluation is { } e ? Noise.Difference(e(level), e(level)) : default;
        // A run that climbs (or falls) through its swings is making progress, noisy as it is; unless the swings
        // dwarf both the progress and the evaluation noise (a mean change over 3 times the trend's per epoch and 4
        // SE of a difference: keras-lung-oscillation's 59, 39, 80, 86, 66, 93 % on 258 images climbs 4 pt an epoch
        // through swings of 17; a 1-pt swing on 50,000 images while climbing 0.3 pt an epoch is the training's
        // noise).
        if (TrendSigmas(tail) >= 2 && !(amplitude >= SwingsOverTrend * Math.Abs(LogView.Slope(tail))
                                         && difference.Known && amplitude >= SwingsOverNoise * difference.Se))
            return null;
        double effect;
        Noise noise;
        if (evaluation is not null)
        {
            // Evaluation noise alone gives a mean |change| of sqrt(2/pi) SE of a difference, known to within
            // sqrt(1 - 2/pi) SE over the square root of the number of changes: the excess over it, in those units.
            noise = difference.Times(AbsoluteNormalSpread / Math.Sqrt(diffs.Length));
            effect = amplitude - MeanAbsoluteNormal * difference.Se;
        }
        else
        {
            effect = amplitude / MeanAbsoluteNormal / scale;
            noise = Noise.Unknown("validation size unknown (--val-size N): judged by the size threshold alone");
        }
        // The judgement's words are written only for a stretch that is beyond the noise.
        if (!(noise.Sigmas(effect) >= c.Options.WarningSe)) return null;
        return new Swing(tail.ToArray().ToList(), flips, diffs.Length, amplitude, Judgement.Of(v, effect, noise));
    }

    /// <summary>
    /// The binomial noise of one value of an accuracy near a level: on the validation size where it is known, else
    /// on the least size the accuracies' smallest step allows, the most the evaluation noise can be (a swing beyond
    /// it is beyond the true noise); null for a metric without either (a loss): judged by the size threshold alone.
    /// </summary>
    static Func<double, Noise>? EvaluationNoise(LogView v)
    {
        if (!v.HigherIsBetter) return null;
        if (v.Noise.ValidationSize is not null) return v.MetricNoise;
        if (v.Metric == "val_acc" && v.Noise.ValidationSizeAtLeast is not null) return v.Noise.ValAccuracyAtMost;
        return null;
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
                          $"{Tail[^1].Epoch}), by {Change(v, Amplitude)} on average, without a trend (the excess " +
                          "over " +
                          $"the evaluation noise: {Judgement.Text}){settled}: the updates are too noisy (learning " +
                          "rate or batch size) to settle.",
                Evidence = evidence,
                Noise = Judgement.Text,
                Confidence = 0.6,
            };
        }
    }

    /// <summary>|slope| over its standard error, for a least-squares line through the points.</summary>
    static double TrendSigmas(ReadOnlySpan<(int Epoch, double Value)> points)
    {
        double slope = LogView.Slope(points);
        var (mx, my) = LogView.Means(points);
        double sxx = 0, residual = 0;
        foreach (var p in points) sxx += (p.Epoch - mx) * (p.Epoch - mx);
        foreach (var p in points) residual += Math.Pow(p.Value - (my + slope * (p.Epoch - mx)), 2);
        double se = Math.Sqrt(residual / Math.Max(1, points.Length - 2) / sxx);
        return se > 0 ? Math.Abs(slope) / se : double.PositiveInfinity;
    }
}
