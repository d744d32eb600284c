using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>The run ended worse than its best epoch, beyond the noise; across folds, how many folds did.</summary>
internal sealed class Degradation : FindingKind
{
    public const string Id = "degradation";
    public override string Name => Id;
    public override string Documentation =>
        "the final value is worse than the best by over 0.01 (absolute for accuracy, relative for loss; critical " +
        "over 0.03) and by the warning (critical) number of standard errors of the difference, the end being the " +
        "mean of the last (up to 3) epochs after the last epoch at the best value, whose noise averaging shrinks; " +
        "not, for validation accuracy, where the validation loss over those epochs is below its value at the best " +
        "epoch (the smoother measure of the same predictions says the model got no worse), nor where the fall is no " +
        "more than one standard error of a difference of two epochs of the run's own swings near its end (the " +
        "epoch-to-epoch spread of its last 10 epochs since the last schedule change, at least 5); live, while the " +
        "learning rate is still at least half its peak and under 3/4 of the planned epochs are done, the noise is " +
        "the larger of that and the metric's epoch-to-epoch spread, and the fall must have lasted 2 epochs (not " +
        "judged before the spread can be measured): a fall at the peak learning rate is a swing until it outlasts " +
        "the swings; across folds: how many folds ended worse than their best, judged by the mean degradation " +
        "against the pooled noise";
    public override int MinimumEpochs(AnalysisOptions o) => 4;
    public override bool AcrossFolds => true;
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new RecommendationKind[] { RecommendationRegistry.LowerLearningRate,
            RecommendationRegistry.KeepBestCheckpoint };

    /// <summary>
    /// A run's best and final values, how much worse the final is, judged against the noise of the difference.
    /// </summary>
    public sealed record Measured(int BestEpoch, double Best, int FinalEpoch, double Final, Judgement Judgement,
        string? Severity)
    {
        public double Worse => Judgement.Effect;
    }

    /// <summary>Epochs at the end whose mean is the level the run ended at.</summary>
    const int EndEpochs = 3;

    /// <summary>
    /// The degradation of one run, or null when it ends at its best: how much worse than the best the level it ended
    /// at is (the mean of the last epochs after the best, up to 3), against the noise of that difference.
    /// </summary>
    public static Measured? Measure(LogView v, AnalysisOptions o) => v.Once(Id, o, () => MeasureOnce(v, o));

    static Measured? MeasureOnce(LogView v, AnalysisOptions o)
    {
        if (v.Best is not { } best || v.Final is not { } final || best.Epoch == final.Epoch) return null;
        // Before the decay, against the training's own swings: not yet judged while too few epochs show them.
        if (v.BeforeDecay && !v.Noise.SpreadKnown(v.Metric)) return null;
        Noise Of(double at) => v.BeforeDecay ? v.Noise.Process(v.Metric, at) : v.MetricNoise(at);
        // The fall runs from the last epoch the run was at its best (a run back at its best is not degrading yet).
        int from = v.Values.Last(p => p.Value == best.Value).Epoch;
        if (from == final.Epoch) return null;
        var end = LastAfter(v.Values, from);
        // ... and a fall of one epoch is a swing until the next epoch says otherwise.
        if (v.BeforeDecay && end.Count < 2) return null;
        // An accuracy that fell while the validation loss of the same images kept improving (below its value at the
        // best epoch over the same end): the smoother of the two says the model got no worse.
        if (v.Metric == "val_acc" && LossImproved(v, from, end)) return null;
        double level = end.Average(p => p.Value);
        var noise = Noise.Difference(Of(best.Value), Of(level).Times(1 / Math.Sqrt(end.Count)));
        if (!v.HigherIsBetter) noise = noise.Times(1 / Math.Max(Math.Abs(best.Value), 1e-12));
        // The size threshold applies to the final value itself, what the run delivers.
        double worse = Math.Min(v.Worse(final.Value, best.Value), v.Worse(level, best.Value));
        var judgement = Judgement.Of(v, worse, noise);
        return new(best.Epoch, best.Value, final.Epoch, final.Value, judgement,
            worse > 0 && !InsideSwings(v, worse) ? judgement.Grade(o, o.DegradationDelta, 3 * o.DegradationDelta)
                : null);
    }

    /// <summary>Epochs at the end whose epoch-to-epoch spread is the size of the run's swings there.</summary>
    const int SwingEpochs = 10;

    /// <summary>
    /// Whether a fall of <paramref name="worse"/> is no larger than one standard error of the difference of two
    /// epochs of the run's own swings near its end (the epoch-to-epoch spread of its last 10 epochs since the last
    /// schedule change, at least 5): where the training, not only the measurement, moves the metric from epoch to
    /// epoch, a fall that one such move explains is a swing, however precise each evaluation is.
    /// </summary>
    static bool InsideSwings(LogView v, double worse)
    {
        int start = v.Log.Events.Where(e => e.Kind == "schedule" && e.Epoch <= v.LastEpoch)
            .Select(e => e.Epoch).DefaultIfEmpty(int.MinValue).Max();
        var tail = v.Values.Where(p => p.Epoch >= start).TakeLast(SwingEpochs).ToList();
        double spread = tail.Count >= 5 ? NoiseModel.EpochSpread(tail) : double.NaN;
        if (!double.IsFinite(spread)) return false;
        double swing = Math.Sqrt(2) * spread / (v.HigherIsBetter ? 1 : Math.Max(Math.Abs(v.Best!.Value.Value), 1e-12));
        return worse <= swing;
    }

    /// <summary>The last (up to) <see cref="EndEpochs"/> points after the epoch <paramref name="from"/>, in order:
    /// found from the end, not by a pass over every epoch.</summary>
    internal static List<(int Epoch, double Value)> LastAfter(List<(int Epoch, double Value)> values, int from)
    {
        var end = new List<(int Epoch, double Value)>(EndEpochs);
        for (int i = values.Count - 1; i >= 0 && end.Count < EndEpochs; i--)
            if (values[i].Epoch > from) end.Add(values[i]);
        end.Reverse();
        return end;
    }

    /// <summary>Whether the validation loss over the <paramref name="end"/> epochs is, on average, lower than at
    /// the epoch <paramref name="from"/> (both logged). One pass, summed in order as Enumerable.Average adds.</summary>
    internal static bool LossImproved(LogView v, int from, List<(int Epoch, double Value)> end)
    {
        var loss = v.Series("val_loss");
        if (loss.Count == 0) return false;
        int atCount = 0, laterCount = 0;
        double at = 0, later = 0;
        foreach (var p in loss)
        {
            if (p.Epoch == from && atCount++ == 0) at = p.Value;
            bool inEnd = false;
            foreach (var e in end) inEnd |= e.Epoch == p.Epoch;
            if (!inEnd) continue;
            later = laterCount++ == 0 ? p.Value : later + p.Value;
        }
        return atCount == 1 && laterCount == end.Count && later / laterCount < at;
    }

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        if (v.BeforeDecay && !v.Noise.SpreadKnown(v.Metric))
            c.NotChecked($"{Id} for now: the learning rate is near its peak with most of the planned epochs ahead, " +
                         "and too few epochs show how far the training swings at it");
        if (Measure(v, c.Options) is not { Severity: { } severity } d) yield break;
        var evidence = new Dictionary<string, double>
        {
            ["best"] = d.Best, ["best_epoch"] = d.BestEpoch, ["final"] = d.Final, ["degradation"] = d.Worse,
        };
        d.Judgement.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id,
            Severity = severity,
            FirstEpoch = d.BestEpoch,
            LastEpoch = d.FinalEpoch,
            Summary =
                $"{v.Metric} was best at epoch {d.BestEpoch} ({v.Format(d.Best)}) and ended at {v.Format(d.Final)}: " +
                      (v.HigherIsBetter ? $"{LogView.Points(d.Worse)} lower" : $"{d.Worse * 100:0.#} % higher") +
                      $" than its best ({d.Judgement.Text}).",
            Evidence = evidence,
            Noise = d.Judgement.Text,
            Confidence = Math.Min(0.9, 0.55 + d.Worse * (v.HigherIsBetter ? 5 : 1)),
        };
    }

    /// <summary>
    /// Across folds: the folds that ended worse than their best by the threshold (as seed 004 counts them), and the
    /// mean degradation over all folds judged against the folds' pooled noise divided by sqrt(folds).
    /// </summary>
    public static (List<LogView> Degraded, int Beyond, Judgement Mean,
        string? Severity)? AcrossFoldsMeasure(FoldsCheck c)
    {
        var o = c.Options;
        var measured = c.Folds.Where(f => f.Best is not null && f.Final is not null)
            .Select(f => (View: f, Measure: Measure(f, o))).ToList();
        if (measured.Count < 2) return null;
        var v0 = measured[0].View;
        var degraded = measured.Where(m => m.Measure is { } d && d.Worse > o.DegradationDelta)
            .Select(m => m.View).ToList();
        int beyond = measured.Count(m => m.Measure is { Severity: not null });
        double mean = measured.Average(m => m.Measure?.Worse ?? 0);
        var sigmas = measured.Select(m => m.View.DifferenceNoise(m.View.Final!.Value.Value, m.View.Best!.Value.Value))
            .Select(n => n.Known ? n.Se : double.NaN);
        double pooled = NoiseModel.Pool(sigmas) / Math.Sqrt(measured.Count);
        var noise = double.IsNaN(pooled)
            ? Noise.Unknown("too few epochs per fold to measure the noise")
            : new Noise(pooled, $"the folds' pooled noise / sqrt({measured.Count})");
        var judgement = Judgement.Of(v0, mean, noise);
        return (degraded, beyond, judgement, degraded.Count == 0 ? null : judgement.Grade(o, o.DegradationDelta,
            3 * o.DegradationDelta));
    }

    public override IEnumerable<Finding> DetectAcrossFolds(FoldsCheck c)
    {
        var folds = c.Folds;
        if (AcrossFoldsMeasure(c) is not { Severity: { } severity } m) yield break;
        var worst = m.Degraded.OrderByDescending(f => f.Worse(f.Final!.Value.Value, f.Best!.Value.Value)).First();
        double meanChange = folds.Where(f => f.Best is not null && f.Final is not null)
            .Average(f => f.Final!.Value.Value - f.Best!.Value.Value);
        var evidence = new Dictionary<string, double>
        {
            ["degraded_folds"] = m.Degraded.Count, ["folds"] = folds.Count, ["mean_best_to_final"] = meanChange,
            ["mean_degradation"] = m.Mean.Effect, ["folds_beyond_noise"] = m.Beyond,
        };
        m.Mean.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id, Severity = severity, Run = "all folds",
            Summary = $"{m.Degraded.Count} of {folds.Count} folds ended worse than their best epoch ({m.Beyond} of " +
                      $"them beyond their own noise); mean change from best to final {meanChange:+0.####;-0.####}, " +
                      $"mean degradation {m.Mean.Text}; worst {worst.Log.Name} " +
                      $"({worst.Format(worst.Best!.Value.Value)} at epoch {worst.Best!.Value.Epoch} → " +
                      $"{worst.Format(worst.Final!.Value.Value)}).",
            Evidence = evidence,
            Noise = m.Mean.Text,
            Confidence = 0.8,
        };
    }
}
