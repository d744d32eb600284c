using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// The run ended still improving beyond the noise (stopped before it converged), or never left chance.
/// </summary>
internal sealed class Underfitting : FindingKind
{
    public const string Id = "underfitting";
    public override string Name => Id;
    public override bool JudgedAtEnd => true;
    public override string Documentation =>
        "the run ends at its best with training loss (validation loss where the log has none) and the metric still " +
        "improving (over the last 3 epochs by the " +
        "warning number of standard errors) and no gap, its gains not shrinking (the last 2 epoch steps gain at " +
        "least 60 % of the 2 before: shrinking gains are a run converging; a schedule change in the last 2 epochs " +
        "does not cut the window): stopped before converging (info when the schedule had annealed); or (warning) " +
        "the model does not fit even its training images: training and validation accuracy below halfway from " +
        "chance to 100 % while training still improves beyond its noise and validation is at its best in the last " +
        "2 epochs, with no overfitting or degradation; or (critical) validation accuracy never left chance " +
        "(1/classes when the log or `--classes` gives it, or the log implies it: a first loss within 5 % of ln C for " +
        "C of 2-5 where top-5 is always 100 % or both first losses agree on it, or a validation accuracy at exactly " +
        "1/C in 3 of 4 epochs; else the accuracy the run started at, when it is a constant answer, the same within " +
        "0.1 pt in at least half the epochs, unless that is 100 %) while the loss barely moved; or (warning) with " +
        "the class count known, a validation loss never 10 % below ln C (the loss of guessing) while validation " +
        "accuracy stays below halfway from chance to 100 %";
    public override int MinimumEpochs(AnalysisOptions o) => 4;
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new[] { RecommendationRegistry.TrainLonger, RecommendationRegistry.EscapeChance };

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        if (NearChance(c) is { } stuck)
        {
            yield return stuck;
            yield break;
        }
        if (NotFitting(c) is { } unfit)
        {
            yield return unfit;
            yield break;
        }
        var v = c.View;
        var o = c.Options;
        // Only epochs since the last schedule change: a change (MixUp off, a new resolution) moves the loss by itself;
        // one in the last 2 epochs leaves too few to judge (a ReduceLROnPlateau cut 2 epochs before the end).
        int since = c.Log.Events.Where(e => e.Kind == "schedule" && e.Key != "phase" && e.Epoch < v.LastEpoch - 1)
            .Select(e => e.Epoch).DefaultIfEmpty(int.MinValue).Max();
        // A log without training loss (Lightning's val_loss alone): the validation loss has to be still falling.
        var loss = c.Series(c.Log.Has(e => e.TrainLoss) ? "train_loss" : "val_loss")
            .Where(p => p.Epoch >= since).ToList();
        if (loss.Count < 3 || v.Values.Count < 4) yield break;
        var lastLoss = loss.Skip(loss.Count - 3).ToList();
        double lossDrop = (lastLoss[0].Value - lastLoss[^1].Value) / Math.Max(Math.Abs(lastLoss[0].Value), 1e-12) / 2;
        var lastValues = v.Values.Skip(v.Values.Count - 3).ToList();
        double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(lastValues[0].Value), 1e-12);
        double metricGain = (lastValues[^1].Value - lastValues[0].Value) * (v.HigherIsBetter ? 1 : -1) / scale / 2;
        // The gain over the last two epoch steps, against the noise of that difference.
        var judgement = Judgement.Of(v, 2 * metricGain, v.DifferenceNoise(lastValues[^1].Value, lastValues[0].Value));
        // Still learning: the best epoch is (nearly) the last, and both series moved the right way over the last
        // epochs.
        bool stillLearning = lossDrop > 0.01 && metricGain > o.PlateauDelta / 2 && judgement.Beyond(o.WarningSe)
                             && v.Best is { } b && b.Epoch >= v.LastEpoch - 1
                             && v.Better(lastValues[^1].Value, lastValues[^2].Value);
        // Gains that shrink epoch after epoch are a run converging, not one cut short (1.9, 0.9, 0.6, 0.3 pt).
        if (Converging(v.Values.Where(p => p.Epoch >= since).ToList(), v.HigherIsBetter)) yield break;
        bool smallGap = v.Gap.Count == 0 || v.Gap[^1].Gap < o.GapWarning / 2;
        bool annealed = v.Annealed;
        if (!stillLearning || !smallGap || (annealed && c.Log.PlannedEpochs is { } planned &&
            v.LastEpoch + 1 < planned))
            yield break;
        bool trainLoss = c.Log.Has(e => e.TrainLoss);
        var evidence = new Dictionary<string, double>
        {
            [trainLoss ? "train_loss_drop_per_epoch" : "val_loss_drop_per_epoch"] = lossDrop,
            ["metric_gain_per_epoch"] = metricGain,
        };
        // A gap only where the log has training accuracy: none is no gap of NaN.
        if (v.Gap.Count > 0) evidence["final_gap"] = v.Gap[^1].Gap;
        judgement.AddTo(evidence);
        // What the learning rate did, where the log says: without it, only that the run had not converged.
        var lrs = c.Series("lr");
        string stopped = lrs.Count == 0
            ? "with no sign of overfitting: it stopped before it converged (the log has no learning rate)."
            : "with no sign of overfitting, and the learning rate at " +
              $"{100 * lrs[^1].Value / lrs.Max(p => p.Value):0.#} % of its peak: it stopped before it converged.";
        yield return new Finding
        {
            Kind = Id, Severity = annealed ? Severity.Info : Severity.Warning,
            FirstEpoch = lastValues[0].Epoch, LastEpoch = lastValues[^1].Epoch,
            Summary =
                $"The run ended still improving: {(trainLoss ? "training" : "validation")} " +
                      $"loss fell {lossDrop * 100:0.#} % per epoch and {v.Metric} " +
                      $"gained {(v.HigherIsBetter ? LogView.Points(metricGain) : $"{Units.Percent(metricGain)}")} " +
                          $"per epoch " +
                      $"over the last epochs ({judgement.Text} over two epochs), " +
                      (annealed
                          ? "with no sign of overfitting, as the learning rate annealed to its end: the schedule, " +
                            "not the model, set the limit, and a longer schedule would likely score higher."
                          : stopped),
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = 0.6,
        };
    }

    /// <summary>
    /// The share of the gain of the 2 epoch steps before below which the last 2 steps' gain says the run converges.
    /// </summary>
    const double ShrinkingShare = 0.6;

    /// <summary>
    /// Whether the metric's gains shrink toward a ceiling over the last 5 epochs: the last 2 steps gain under 60 %
    /// of the 2 before (nb-torch-mnist-mlp: 1.9 + 0.9 pt, then 0.6 + 0.3; lightning-resnet18-cs440: 0.7 + 0.6, then
    /// 0.25 + 0.4). A run still climbing gains as much at the end as before it (keras-retina-lr: 2.6 + 1.9, then
    /// 1.9 + 3.1 pt).
    /// </summary>
    static bool Converging(List<(int Epoch, double Value)> values, bool higher)
    {
        if (values.Count < 5) return false;
        double Gain(int i) => (values[i].Value - values[i - 1].Value) * (higher ? 1 : -1);
        int n = values.Count;
        double before = Gain(n - 4) + Gain(n - 3), last = Gain(n - 2) + Gain(n - 1);
        return before > 0 && last < ShrinkingShare * before;
    }

    /// <summary>
    /// The model does not fit even its training images: training and validation accuracy both below halfway from
    /// chance to 100 % at the end, while training still improves beyond its noise over the last 3 epochs (its
    /// accuracy rising, or its loss falling over 1 % per epoch) and validation is at its best in the last 2 epochs
    /// with no overfitting or degradation found: a run stopped long before it could converge
    /// (logging-flowers102-2models' CNN: 33 % training and 39 % validation accuracy on 102 flowers after 10 epochs,
    /// its training loss still falling 3-5 % per epoch).
    /// </summary>
    static Finding? NotFitting(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        var train = c.Series("train_acc");
        if (train.Count < 4) return null;
        double chance = v.Classes is > 1 ? 1.0 / v.Classes.Value : 0, fit = (1 + chance) / 2;
        var val = c.Series("val_acc");
        double final = train[^1].Value;
        if (final >= fit || val.Count > 0 && val[^1].Value >= fit) return null;
        // Validation must still be improving with it: a validation side that got worse meanwhile is overfitting
        // (nb-keras-mushroom: validation loss up 21 % while training accuracy climbs to 45 %), not a model too young.
        if (c.Found.Any(f => f.Kind is Overfitting.Id or Degradation.Id && f.Severity != Severity.Info)
            || val.Count >= 3 && val.MaxBy(p => p.Value).Epoch < val[^2].Epoch) return null;
        var rise = Judgement.Points(final - train[^3].Value, v.Noise.TrainAccuracy(final).Times(Math.Sqrt(2)));
        var loss = c.Series("train_loss");
        bool lossFalls = loss.Count >= 3 && loss[^1].Epoch == train[^1].Epoch
                         && (loss[^3].Value - loss[^1].Value) / Math.Max(Math.Abs(loss[^3].Value), 1e-12) > 0.02
                         && Judgement.Loss(loss[^3].Value - loss[^1].Value,
                             v.Noise.Metric("train_loss", loss[^1].Value).Times(Math.Sqrt(2))).Beyond(o.WarningSe);
        if (!(rise.Effect > 0 && rise.Beyond(o.WarningSe)) && !lossFalls) return null;
        var evidence = new Dictionary<string, double>
        {
            ["final_train_acc"] = final, ["fit_threshold"] = fit, ["train_acc_rise_2_epochs"] = rise.Effect,
        };
        if (val.Count > 0) evidence["final_val_acc"] = val[^1].Value;
        rise.AddTo(evidence);
        return new Finding
        {
            Kind = Id, Severity = Severity.Warning, FirstEpoch = train[^3].Epoch, LastEpoch = train[^1].Epoch,
            Summary = $"The model does not fit even its training images: training accuracy ended at " +
                      $"{Units.Percent(final)}" +
                      (val.Count > 0 ? $" (validation {Units.Percent(val[^1].Value)})" : "") +
                      $", below the {fit * 100:0.#} % halfway from chance to 100 %, and training was still " +
                      $"improving (accuracy {rise.Text} over the last two epochs" +
                      (lossFalls ? $", loss {loss[^3].Value:0.####} → {loss[^1].Value:0.####}" : "") +
                      "): it stopped long before it converged (train longer; a larger model or learning rate if it " +
                      "still does not fit).",
            Evidence = evidence,
            Noise = rise.Text,
            Confidence = 0.65,
        };
    }

    /// <summary>How close to the first epoch's accuracy another must be to count as the same constant answer (a
    /// sample or two more or fewer of thousands).</summary>
    const double SameAnswer = 0.001;

    /// <summary>The share of ln C below which a validation loss has learned more than guessing.</summary>
    const double GuessingShare = 0.9;

    /// <summary>
    /// With the class count known, a validation loss that never fell 10 % below ln C, the cross-entropy of a
    /// classifier that guesses (yolo-coal: 1.27 against ln 4 = 1.39), while validation accuracy stays below halfway
    /// from chance to 100 %: above chance, but its predictions on the validation images carry little beyond a
    /// guess (a warning). Not where the loss is on another scale: an accuracy past halfway says it is.
    /// </summary>
    static Finding? NearChanceLoss(RunCheck c, double chance, double best, Judgement judgement)
    {
        var v = c.View;
        var loss = c.Series("val_loss");
        if (loss.Count < 4 || best >= (1 + chance) / 2) return null;
        double guess = Math.Log(v.Classes!.Value), least = loss.Min(p => p.Value);
        if (!(least >= GuessingShare * guess)) return null;
        var evidence = new Dictionary<string, double>
        {
            ["chance"] = chance, ["best_val_acc"] = best, ["classes"] = v.Classes.Value, ["ln_classes"] = guess,
            ["least_val_loss"] = least,
        };
        judgement.AddTo(evidence);
        return new Finding
        {
            Kind = Id, Severity = Severity.Warning, FirstEpoch = loss[0].Epoch, LastEpoch = loss[^1].Epoch,
            Summary = $"Validation loss never fell 10 % below ln {v.Classes} = {guess:0.###}, the loss of guessing " +
                      $"among {v.Classes} classes" + (v.ClassesInferred ? $" ({v.ClassesReason})" : "") +
                      $": at least {least:0.####}; validation accuracy, at best {Units.Percent(best)} against a " +
                      $"chance of {Units.Percent(chance)} ({judgement.Text}), stayed below halfway to 100 %: the " +
                      "model barely learned (too few epochs or steps too small for the task, or a model too weak).",
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = 0.6,
        };
    }

    /// <summary>
    /// Validation accuracy that never rose beyond the noise above chance: 1/classes where the class count is known,
    /// else the accuracy of the first epoch (a model that predicts the majority class scores its share from the
    /// start), while the training (or validation) loss fell less than 10 %.
    /// </summary>
    static Finding? NearChance(RunCheck c)
    {
        var v = c.View;
        var acc = c.Series("val_acc");
        if (acc.Count < 4) return null;
        bool fromClasses = v.Classes is > 1;
        double chance = fromClasses ? 1.0 / v.Classes!.Value : acc[0].Value;
        double best = acc.Max(p => p.Value);
        // A model right on every validation image has nothing left to learn there: whatever it started at, that is
        // no chance (a saturated or degenerate validation set, which the plateau and the numbers show).
        if (best >= 1 - NoiseModel.AccuracyFloor) return null;
        var noise = v.Noise.ValAccuracyDifference(best, chance);
        var judgement = Judgement.Points(best - chance, noise);
        if (judgement.Beyond(c.Options.WarningSe) || best - chance > c.Options.GapWarning)
            return fromClasses ? NearChanceLoss(c, chance, best, judgement) : null;
        // Without a class count, chance is where the run started and never left: the same answer for every image
        // gives the same accuracy epoch after epoch (the first value again, within 0.1 pt, in at least half the
        // epochs: 42/44 in 9 of 10; 0.5741 or 0.5739 in all 7), no epoch beyond the noise of it either way, and
        // training accuracy (where logged) no higher (a pretrained model fine-tuned on a plateau starts high and
        // learns on the training side; one that starts at 97.1 % and moves every epoch to 98.4 % is no constant
        // answer).
        var train = c.Series("train_acc");
        if (!fromClasses &&
            (acc.Count(p => Math.Abs(p.Value - chance) <= SameAnswer) * 2 < acc.Count ||
             acc.Any(p => Judgement.Points(Math.Abs(p.Value - chance), v.Noise.ValAccuracyDifference(p.Value, chance))
                                          .Beyond(c.Options.WarningSe))
                             || train.Count > 0 && train.Max(p => p.Value) - chance > c.Options.GapWarning))
            return null;
        // The validation loss says whether the model learned anything that carries over; the training loss where
        // there is none.
        var loss = c.Series("val_loss") is { Count: >= 2 } valLoss ? valLoss : c.Series("train_loss");
        double lossChange = loss.Count >= 2
            ? (loss[0].Value - loss.Min(p => p.Value)) / Math.Max(Math.Abs(loss[0].Value), 1e-12) : 0;
        // A loss that fell although the accuracy stayed at 1/C (a resumed run's first epoch far above the rest) may
        // still never have beaten guessing.
        if (lossChange > 0.1) return fromClasses ? NearChanceLoss(c, chance, best, judgement) : null;
        var evidence = new Dictionary<string, double>
        {
            ["chance"] = chance, ["best_val_acc"] = best, ["loss_relative_drop"] = lossChange,
            ["classes"] = fromClasses ? v.Classes!.Value : double.NaN,
        };
        judgement.AddTo(evidence);
        return new Finding
        {
            Kind = Id, Severity = Severity.Critical, FirstEpoch = acc[0].Epoch, LastEpoch = acc[^1].Epoch,
            Summary = $"Validation accuracy never left chance: at best {Units.Percent(best)} against " +
                      (fromClasses ? $"1/{v.Classes} = {Units.Percent(chance)}" + (v.ClassesInferred
                              ? $" ({v.Classes} classes: {v.ClassesReason})" : "")
                          : $"the {Units.Percent(chance)} it started at") +
                      $" ({judgement.Text}), and the loss fell only {lossChange * 100:0.#} %: the model is not " +
                      "learning (steps too large or too small, a frozen network, or labels that do not match the " +
                      "images).",
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = fromClasses ? 0.85 : 0.6,
        };
    }
}
