using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// The optimization blew up: a NaN or infinite loss, or a training loss far above its running minimum.
/// </summary>
internal sealed class Divergence : FindingKind
{
    public const string Id = "divergence";
    public override string Name => Id;
    public override string Documentation =>
        "a NaN or infinite loss, or a training loss above 3 times its running minimum, or a validation loss above 3 " +
        "times its running minimum while the training loss is above 1.5 times its own (both losses blew up); the " +
        "losses that jumped must be back to at least half their first epoch's (a rise from a near-zero minimum that " +
        "stays far below where the training started is the noise of a nearly memorized training set); a training " +
        "loss's jump needs the validation side to agree where it is logged at that epoch (validation loss above 1.5 " +
        "times its running minimum, or validation accuracy more than the gap threshold below its running best; a " +
        "validation side that never moves corroborates nothing and is passed over); the " +
        "jump from the running minimum must exceed the critical number of standard errors of the loss's " +
        "epoch-to-epoch spread (on 20 validation images a loss that swings 0.16-0.56 every few epochs does not blow " +
        "up at 0.52); a loss that is NaN in every epoch while the other is finite is a series not logged, no blow-up";
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new[] { RecommendationRegistry.StabilizeOptimization };

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        // A loss that is NaN in every epoch while the other loss is finite was never computed (YOLOv8 logs val/loss
        // as nan in every row): a missing series, not a blow-up at epoch 1.
        bool trainMissing = NeverFinite(c, "train_loss", e => e.TrainLoss, "val_loss");
        bool valMissing = NeverFinite(c, "val_loss", e => e.ValLoss, "train_loss");
        var bad = FirstNonFinite(c.Log.Epochs, trainMissing, valMissing);
        if (bad is not null)
        {
            yield return new Finding
            {
                Kind = Id, Severity = Severity.Critical, FirstEpoch = bad.Epoch, LastEpoch = v.LastEpoch,
                Summary = $"The loss became NaN or infinite at epoch {bad.Epoch}: training diverged.",
                Evidence = new() { ["epoch"] = bad.Epoch }, Confidence = 0.95,
            };
            yield break;
        }
        double min = double.MaxValue;
        foreach (var (epoch, value) in c.Series("train_loss"))
        {
            if (min < double.MaxValue && value > c.Options.DivergenceFactor * min && epoch > v.FirstEpoch + 1
                && BackToTheStart(value, c.Series("train_loss")) && Corroborated(c, epoch)
                && BeyondSwings(c, "train_loss", value, min))
            {
                yield return new Finding
                {
                    Kind = Id, Severity = Severity.Critical, FirstEpoch = epoch, LastEpoch = v.LastEpoch,
                    Summary = $"Training loss jumped to {value:0.####} at epoch {epoch}, {value / min:0.#} times its " +
                              $"minimum so far ({min:0.####}): the optimization blew up.",
                    Evidence = new() { ["loss"] = value, ["running_min"] = min, ["factor"] = value / min },
                    Confidence = 0.85,
                };
                yield break;
            }
            min = Math.Min(min, value);
        }
        if (BothLosses(c) is { } both) yield return both;
    }

    /// <summary>The first epoch with a NaN or infinite loss (of a loss not taken as missing), or null.</summary>
    static Runs.LogEpoch? FirstNonFinite(List<Runs.LogEpoch> epochs, bool trainMissing, bool valMissing)
    {
        foreach (var e in epochs)
            if (!trainMissing && e.TrainLoss is { } l && !double.IsFinite(l)
                || !valMissing && e.ValLoss is { } vl && !double.IsFinite(vl))
                return e;
        return null;
    }

    /// <summary>
    /// Whether the validation side says the training blew up at <paramref name="epoch"/>, where the log has it
    /// there: the validation loss above 1.5 times its running minimum, or the validation accuracy over the gap
    /// threshold below its running best. A training loss printed from one batch (a progress bar's last value)
    /// jumps 80-fold between epochs while a model at 99.4 % on its validation images has lost nothing.
    /// </summary>
    static bool Corroborated(RunCheck c, int epoch)
    {
        var e = c.Log.Epochs.FirstOrDefault(x => x.Epoch == epoch);
        if (e is null || e.ValLoss is null && e.ValAccuracy is null) return true;
        // A validation side that never moves (a test loss of 0.0046 and 10.00 % in every epoch) says nothing either
        // way: the training loss is all the log shows.
        if (Constant(c.Series("val_loss")) && Constant(c.Series("val_acc"))) return true;
        var before = c.Log.Epochs.Where(x => x.Epoch < epoch).ToList();
        if (e.ValLoss is { } vl && before.Where(x => x.ValLoss is not null).Select(x => x.ValLoss!.Value)
                .DefaultIfEmpty(double.NaN).Min() is var least && !double.IsNaN(least) && !(vl <= 1.5 * least))
            return true;
        return e.ValAccuracy is { } va && before.Where(x => x.ValAccuracy is not null)
            .Select(x => x.ValAccuracy!.Value).DefaultIfEmpty(double.NaN).Max() is var top && !double.IsNaN(top)
            && top - va > c.Options.GapWarning;
    }

    /// <summary>
    /// Whether <paramref name="role"/> is logged but never finite while <paramref name="other"/> has finite values;
    /// the report then says the series was taken as not logged.
    /// </summary>
    static bool NeverFinite(RunCheck c, string role, Func<Runs.LogEpoch, double?> select, string other)
    {
        if (c.Series(role).Count > 0 || c.Series(other).Count == 0 || !c.Log.Epochs.Any(e => select(e) is not null))
            return false;
        c.NotChecked($"divergence on {role}: it is NaN in every epoch (not logged, while {other} is finite)");
        return true;
    }

    /// <summary>
    /// Whether a loss's jump from its running minimum <paramref name="min"/> to <paramref name="value"/> exceeds
    /// the critical number of standard errors of the loss's own epoch-to-epoch spread: on 20 validation images the
    /// validation loss swings between 0.16 and 0.56 from epoch to epoch (1 to 5 images wrong), and a jump of the
    /// same size is one more swing; a blow-up stands out of the swings before and after it.
    /// </summary>
    static bool BeyondSwings(RunCheck c, string role, double value, double min) =>
        Judgement.Loss(value - min, c.View.Noise.Metric(role, min).Times(Math.Sqrt(2))).Beyond(c.Options.CriticalSe);

    /// <summary>Whether a series (none counts) holds one value in every epoch (within 10^-9 of its size).</summary>
    static bool Constant(List<(int Epoch, double Value)> series) =>
        series.Count == 0 || series.Max(p => p.Value) - series.Min(p => p.Value)
        <= 1e-9 * Math.Max(1, Math.Abs(series[0].Value));

    /// <summary>The share of its first epoch's value a loss that jumped must be back to for a blow-up.</summary>
    const double StartShare = 0.5;

    /// <summary>
    /// Whether a loss that jumped to <paramref name="value"/> lost most of what the training had gained: it is back
    /// to at least half of its first epoch's value. A loss that fell 40-fold to a near-zero minimum (a small or
    /// nearly memorized training set) swings by several times that minimum from batch noise alone (0.0075 to 0.03)
    /// while staying a tenth of where it started: no blow-up.
    /// </summary>
    static bool BackToTheStart(double value, List<(int Epoch, double Value)> loss) =>
        loss.Count == 0 || !double.IsFinite(loss[0].Value) || value >= StartShare * loss[0].Value;

    /// <summary>
    /// Validation loss far above its running minimum while training loss rose too: not evaluation noise.
    /// </summary>
    static Finding? BothLosses(RunCheck c)
    {
        var f = c.Options.DivergenceFactor;
        double minTrain = double.MaxValue, minVal = double.MaxValue;
        foreach (var e in c.Log.Epochs)
        {
            if (e.TrainLoss is not { } t || e.ValLoss is not { } vl || !double.IsFinite(t) || !double.IsFinite(vl))
                continue;
            if (minVal < double.MaxValue && vl > f * minVal && t > 1.5 * minTrain
                && BackToTheStart(vl, c.Series("val_loss")) && BackToTheStart(t, c.Series("train_loss"))
                && BeyondSwings(c, "val_loss", vl, minVal))
                return new Finding
                {
                    Kind = Id, Severity = Severity.Critical, FirstEpoch = e.Epoch, LastEpoch = c.View.LastEpoch,
                    Summary = $"At epoch {e.Epoch} validation loss jumped to {vl:0.####}, {vl / minVal:0.#} times " +
                              $"its minimum so far ({minVal:0.####}), and training loss to {t:0.####}, " +
                              $"{t / minTrain:0.#} times its own: the optimization blew up.",
                    Evidence = new()
                    {
                        ["val_loss"] = vl, ["val_running_min"] = minVal, ["loss"] = t,
                        ["running_min"] = minTrain
                    },
                    Confidence = 0.8,
                };
            minTrain = Math.Min(minTrain, t);
            minVal = Math.Min(minVal, vl);
        }
        return null;
    }
}
