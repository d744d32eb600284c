using Regimen.Analysis.Recommendations;
using Regimen.Runs;

namespace Regimen.Analysis.Findings;

/// <summary>A schedule change (resolution, augmentations, MixUp, scheduler...) after which the gap or the metric moved.</summary>
internal sealed class ScheduleShift : FindingKind
{
    public const string Id = "schedule-shift";
    public override string Name => Id;
    public override string Documentation =>
        "a schedule change (resolution, augmentations, MixUp, dropout, scheduler...) after which the gap jumps by over " +
        "3 points within 3 epochs (critical when regularization was switched off: seed 001's FixRes phase); or (info) " +
        "the metric drops at the change by more than twice its usual epoch-to-epoch change";
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new[] { RecommendationRegistry.KeepTrainingAugmentations };
    public override string? AnsweredSeverity => Severity.Critical;

    /// <summary>The schedule changes that can move the curves ("phase" only names them).</summary>
    static IEnumerable<LogEvent> Changes(TrainingLog log) => log.Events.Where(e => e.Kind == "schedule" && e.Key != "phase");

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        foreach (var group in Changes(c.Log).GroupBy(e => e.Epoch))
        {
            int at = group.Key;
            var changes = string.Join(", ", group.Select(e => $"{e.Key} {e.From} → {e.To}"));
            var before = v.Gap.Where(g => g.Epoch >= at - o.ShiftWindow && g.Epoch < at).ToList();
            var after = v.Gap.Where(g => g.Epoch >= at && g.Epoch <= at + o.ShiftWindow + 1).ToList();
            if (before.Count > 0 && after.Count > 0)
            {
                double gapBefore = before.Average(g => g.Gap), gapAfter = after.Max(g => g.Gap);
                if (gapAfter - gapBefore > o.ShiftGap)
                {
                    // The gap from the change to the next one (or the end): a jump only matters if it then exceeds the threshold.
                    int next = Changes(c.Log).Where(e => e.Epoch > at).Select(e => e.Epoch).DefaultIfEmpty(int.MaxValue).Min();
                    double gapLater = v.Gap.Where(g => g.Epoch >= at && g.Epoch < next).Select(g => g.Gap)
                        .DefaultIfEmpty(gapAfter).Max();
                    yield return GapJump(v, o, group.ToList(), changes, before, after, gapBefore, gapAfter, gapLater);
                    continue;
                }
            }
            // Without a gap, a break in the metric's trend at the change is still worth a note.
            var vb = v.Values.Where(p => p.Epoch >= at - o.ShiftWindow && p.Epoch < at).ToList();
            var va = v.Values.Where(p => p.Epoch >= at && p.Epoch <= at + o.ShiftWindow).ToList();
            if (vb.Count < 2 || va.Count < 2) continue;
            double jump = (va[0].Value - vb[^1].Value) * (v.HigherIsBetter ? 1 : -1);
            double typical = vb.Zip(vb.Skip(1), (a, b) => Math.Abs(b.Value - a.Value)).DefaultIfEmpty(0).Average();
            if (jump < -Math.Max(2 * typical, o.PlateauDelta))
                yield return new Finding
                {
                    Kind = Id,
                    Severity = Severity.Info,
                    FirstEpoch = at,
                    LastEpoch = va[^1].Epoch,
                    Summary = $"At epoch {at} ({changes}) {v.Metric} dropped from {v.Format(vb[^1].Value)} to " +
                              $"{v.Format(va[0].Value)}, more than its usual epoch-to-epoch change ({v.Format(typical)}); " +
                              $"it recovered to {v.Format(va[^1].Value)} by epoch {va[^1].Epoch}.",
                    Evidence = new()
                    {
                        ["event_epoch"] = at, ["before"] = vb[^1].Value, ["after"] = va[0].Value, ["typical_change"] = typical,
                    },
                    Confidence = 0.6,
                };
        }
    }

    static Finding GapJump(LogView v, AnalysisOptions o, List<LogEvent> group, string changes,
        List<(int Epoch, double Gap)> before, List<(int Epoch, double Gap)> after, double gapBefore, double gapAfter,
        double gapLater)
    {
        int at = group[0].Epoch;
        int opens = after.FirstOrDefault(g => g.Gap - gapBefore > o.ShiftGap).Epoch;
        bool augmentsOff = group.Any(e => e.Key == "augment" && e.To == "off")
                           || group.Any(e => e.Key == "augment_level" && e.To == "minimal")
                           || group.Any(e => e.Key is "mixup_alpha" or "cutmix_alpha" && e.To == "0");
        bool problem = gapLater > o.GapWarning;
        return new Finding
        {
            Kind = Id,
            Severity = !problem ? Severity.Info : gapLater > o.GapCritical || augmentsOff ? Severity.Critical : Severity.Warning,
            FirstEpoch = at,
            LastEpoch = after[^1].Epoch,
            Summary = $"At epoch {at} ({changes}) the train-validation gap jumped from {LogView.Points(gapBefore)} " +
                      $"(mean of the {before.Count} epochs before) to {LogView.Points(gapAfter)}, opening from epoch {opens}" +
                      (!problem
                          ? $"; it stays below the {o.GapWarning * 100:0.#}-point threshold (at most " +
                            $"{LogView.Points(gapLater)} until the next change): training accuracy rose to meet validation " +
                            "once the training-time regularization eased, which is no overfitting."
                          : augmentsOff
                              ? $" and reached {LogView.Points(gapLater)}: training regularization was switched off, so the " +
                                "model fits the training images instead of generalizing."
                              : $" and reached {LogView.Points(gapLater)}."),
            Evidence = new()
            {
                ["event_epoch"] = at, ["gap_before"] = gapBefore, ["gap_after_max"] = gapAfter,
                ["gap_until_next_change"] = gapLater, ["gap_opens_epoch"] = opens,
            },
            Confidence = Math.Min(0.95, 0.6 + (gapAfter - gapBefore) * 3),
        };
    }
}
