using Regimen.Analysis.Recommendations;
using Regimen.Runs;

namespace Regimen.Analysis.Findings;

/// <summary>
/// A schedule change (resolution, augmentations, MixUp, a step of the learning rate...) after which the gap or the
/// metric moved beyond the noise.
/// </summary>
internal sealed class ScheduleShift : FindingKind
{
    public const string Id = "schedule-shift";
    public override string Name => Id;
    public override string Documentation =>
        "a schedule change (resolution, augmentations, MixUp, dropout, scheduler, or a step of the logged learning " +
        "rate) after which the gap jumps by over 3 points within 3 epochs and by the warning number of standard " +
        "errors (a problem when the gap then exceeds the gap threshold; critical when regularization was switched " +
        "off, seed 001's FixRes phase, or beyond 10 points); or (info) the metric's level drops or jumps at the " +
        "change by the warning number of standard errors of the difference (the mean of up to 3 epochs before, " +
        "carried forward by the trend of the 6 before where that explains part of the change, against the mean of " +
        "up to 4 from the change), the step at the change going the same way by at least one of its standard " +
        "errors; needs 2 epochs after the change; in a log with neither a learning rate nor a schedule, (info) the " +
        "same at a lasting jump of the metric's level far beyond its epoch-to-epoch spread (an unlogged change)";
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new[] { RecommendationRegistry.KeepTrainingAugmentations };
    public override string? AnsweredSeverity => Severity.Critical;

    /// <summary>Epochs a change needs after it (its own included) before its effect is judged.</summary>
    public const int EpochsAfterChange = 2;

    /// <summary>The schedule changes that can move the curves ("phase" only names them).</summary>
    static IEnumerable<LogEvent> Changes(TrainingLog log) => log.Events.Where(e => e.Kind == "schedule" &&
        e.Key != "phase");

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        foreach (var group in Changes(c.Log).GroupBy(e => e.Epoch))
        {
            int at = group.Key;
            var changes = string.Join(", ", group.Select(e => $"{e.Key} {e.From} → {e.To}"));
            int epochsAfter = EpochsFrom(c.Log.Epochs, at);
            if (epochsAfter < EpochsAfterChange)
            {
                if (c.Log.Epochs.Any(e => e.Epoch < at))
                    c.NotChecked($"too early to judge {Id} at epoch {at} ({changes}): {epochsAfter} epoch(s) from " +
                                 $"the change, it needs at least {EpochsAfterChange}");
                continue;
            }
            if (GapJump(c, group.ToList(), changes) is { } jump) yield return jump;
            else if (MetricJump(c, at, changes) is { } moved) yield return moved;
        }
        // A log that records neither a learning rate nor a schedule: a lasting jump of the metric says something
        // changed that the log does not (a step decay's jump, its most common cause).
        if (Changes(c.Log).Any() || c.Series("lr").Count > 0) yield break;
        foreach (int at in UnloggedChanges.MetricJumps(v.Values, v.HigherIsBetter, o.WarningSe))
            if (MetricJump(c, at, "an unlogged change: the log has no learning rate, and a step decay of it does " +
                               "this") is { } moved)
                yield return moved;
    }

    /// <summary>How many epochs are at or after <paramref name="at"/>.</summary>
    static int EpochsFrom(List<LogEpoch> epochs, int at)
    {
        int n = 0;
        foreach (var e in epochs) n += e.Epoch >= at ? 1 : 0;
        return n;
    }

    static Finding? GapJump(RunCheck c, List<LogEvent> group, string changes)
    {
        var v = c.View;
        var o = c.Options;
        int at = group[0].Epoch;
        List<(int Epoch, double Gap)> before = LogView.Within(v.Gap, at - o.ShiftWindow, at),
            after = LogView.Within(v.Gap, at, at + o.ShiftWindow + 2);
        if (before.Count == 0 || after.Count == 0) return null;
        double gapBefore = before.Average(g => g.Gap);
        var peak = after.Aggregate((a, b) => b.Gap > a.Gap ? b : a);
        var e = LogView.FirstAt(c.Log, peak.Epoch);
        var noise = v.Noise.Gap(e.TrainAccuracy!.Value, e.ValAccuracy!.Value).Times(Math.Sqrt(1 + 1.0 / before.Count));
        var jump = Judgement.Points(peak.Gap - gapBefore, noise);
        if (jump.Effect <= o.ShiftGap || !jump.Beyond(o.WarningSe)) return null;
        // The gap from the change to the next one (or the end): a jump only matters if it then exceeds the threshold.
        int next = Changes(c.Log).Where(x => x.Epoch > at).Select(x => x.Epoch).DefaultIfEmpty(int.MaxValue).Min();
        double gapLater = v.Gap.Where(g => g.Epoch >= at && g.Epoch < next).Select(g => g.Gap)
            .DefaultIfEmpty(peak.Gap).Max();
        int opens = after.FirstOrDefault(g => g.Gap - gapBefore > o.ShiftGap).Epoch;
        bool augmentsOff = group.Any(x => x.Key == "augment" && x.To == "off")
                           || group.Any(x => x.Key == "augment_level" && x.To == "minimal")
                           || group.Any(x => x.Key is "mixup_alpha" or "cutmix_alpha" && x.To == "0");
        bool problem = gapLater > o.GapWarning;
        bool critical = (gapLater > o.GapCritical || augmentsOff) && jump.Beyond(o.CriticalSe);
        var evidence = new Dictionary<string, double>
        {
            ["event_epoch"] = at, ["gap_before"] = gapBefore, ["gap_after_max"] = peak.Gap,
            ["gap_until_next_change"] = gapLater, ["gap_opens_epoch"] = opens,
        };
        jump.AddTo(evidence);
        return new Finding
        {
            Kind = Id,
            Severity = !problem ? Severity.Info : critical ? Severity.Critical : Severity.Warning,
            FirstEpoch = at,
            LastEpoch = after[^1].Epoch,
            Summary = $"At epoch {at} ({changes}) the train-validation gap jumped from {LogView.Points(gapBefore)} " +
                      $"(mean of the {before.Count} epochs before) to {LogView.Points(peak.Gap)} ({jump.Text}), " +
                      $"opening from epoch {opens}" +
                      (!problem
                          ? $"; it stays below the {o.GapWarning * 100:0.#}-point threshold (at most " +
                            $"{LogView.Points(gapLater)} until the next change): training accuracy rose to meet " +
                            "validation once the training-time regularization eased, which is no overfitting."
                          : augmentsOff
                              ? $" and reached {LogView.Points(gapLater)}: training regularization was switched off, " +
                                "so the model fits the training images instead of generalizing."
                              : $" and reached {LogView.Points(gapLater)}."),
            Evidence = evidence,
            Noise = jump.Text,
            Confidence = Math.Min(0.95, 0.6 + jump.Effect * 3),
        };
    }

    /// <summary>
    /// Without a gap jump, a break in the metric at the change (a drop, or the jump of a step decay) is a note.
    /// </summary>
    static Finding? MetricJump(RunCheck c, int at, string changes)
    {
        var v = c.View;
        var o = c.Options;
        var vb = LogView.Within(v.Values, at - o.ShiftWindow, at);
        var va = LogView.Within(v.Values, at, at + o.ShiftWindow + 1);
        if (vb.Count < 1 || va.Count < 2) return null;
        // The level before against the level after (the means of the windows, whose noise averaging shrinks: a step
        // decay's gain shows over several epochs, each inside the noise of one epoch's difference), the level before
        // carried forward by the trend of up to 6 epochs before the change where that trend explains part of it
        // (the means of a climbing curve differ without any jump).
        double before = vb.Average(p => p.Value), after = va.Average(p => p.Value);
        var trendWindow = LogView.Within(v.Values, at - 2 * o.ShiftWindow, at);
        double slope = trendWindow.Count >= 3 ? LogView.Slope(trendWindow) : 0;
        double carried = before + slope * (va.Average(p => p.Epoch) - vb.Average(p => p.Epoch));
        double raw = v.Worse(before, after), detrended = v.Worse(carried, after);
        double signed = Math.Abs(detrended) < Math.Abs(raw) ? detrended : raw;   // > 0: better after the change
        var noise = v.DifferenceNoise(after, before).Times(Math.Sqrt((1.0 / vb.Count + 1.0 / va.Count) / 2));
        var judgement = Judgement.Of(v, Math.Abs(signed), noise);
        if (Math.Abs(signed) <= o.PlateauDelta || !judgement.Beyond(o.WarningSe)) return null;
        // A jump starts at the change: the step from the last epoch before to the first after goes the same way,
        // by at least one standard error of that difference.
        double step = v.Worse(vb[^1].Value, va[0].Value);
        var stepNoise = v.DifferenceNoise(va[0].Value, vb[^1].Value);
        if (Math.Sign(step) != Math.Sign(signed) || stepNoise.Known && Math.Abs(step) < stepNoise.Se) return null;
        bool rose = signed > 0;
        var evidence = new Dictionary<string, double>
        {
            ["event_epoch"] = at, ["before"] = before, ["after"] = after, ["change"] = signed,
            ["last_before"] = vb[^1].Value, ["first_after"] = va[0].Value,
        };
        judgement.AddTo(evidence);
        return new Finding
        {
            Kind = Id,
            Severity = Severity.Info,
            FirstEpoch = at,
            LastEpoch = va[^1].Epoch,
            Summary =
                $"At epoch {at} ({changes}) {v.Metric} {(rose ? "jumped" : "dropped")} from {v.Format(before)} " +
                      $"(mean of the {vb.Count} epochs before) to {v.Format(after)} (mean of the {va.Count} from the " +
                      $"change; {v.Format(vb[^1].Value)} → {v.Format(va[0].Value)} at the change" +
                      (signed != raw ? $"; {v.Format(carried)} expected from the trend before" : "") +
                      $"; {judgement.Text})" +
                      (rose ? "; the change, not further training, made that step."
                          : $"; it was {v.Format(va[^1].Value)} by epoch {va[^1].Epoch}."),
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = 0.6,
        };
    }
}
