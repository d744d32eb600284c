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
        "warning number of standard errors) and no gap: stopped before converging (info when the schedule had " +
        "annealed); or (critical) validation accuracy never left chance (1/classes when the log or `--classes` " +
        "gives it, or the log implies it: top-5 always 100 % and a first loss within 5 % of ln C for C of 2-5; " +
        "else the accuracy the run started at, unless that is 100 %) while the loss barely moved; or (warning) with " +
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
        var v = c.View;
        var o = c.Options;
        // Only epochs since the last schedule change: a change (MixUp off, a new resolution) moves the loss by itself.
        int since = c.Log.Events.Where(e => e.Kind == "schedule" && e.Key != "phase").Select(e => e.Epoch)
            .DefaultIfEmpty(int.MinValue).Max();
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
        string stopped = c.Series("lr").Count == 0
            ? "with no sign of overfitting: it stopped before it converged (the log has no learning rate)."
            : "with no sign of overfitting, and the learning rate still high: it stopped before it converged.";
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
                      $"among {v.Classes} classes" + (v.ClassesInferred ? " (the class count the log implies)" : "") +
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
        // Without a class count, chance is where the run started and never left: no epoch beyond the noise of it
        // either way, and training accuracy (where logged) no higher (a pretrained model fine-tuned on a plateau
        // starts high and learns on the training side).
        var train = c.Series("train_acc");
        if (!fromClasses &&
            (acc.Any(p => Judgement.Points(Math.Abs(p.Value - chance), v.Noise.ValAccuracyDifference(p.Value, chance))
                                          .Beyond(c.Options.WarningSe))
                             || train.Count > 0 && train.Max(p => p.Value) - chance > c.Options.GapWarning))
            return null;
        // The validation loss says whether the model learned anything that carries over; the training loss where
        // there is none.
        var loss = c.Series("val_loss") is { Count: >= 2 } valLoss ? valLoss : c.Series("train_loss");
        double lossChange = loss.Count >= 2
            ? (loss[0].Value - loss.Min(p => p.Value)) / Math.Max(Math.Abs(loss[0].Value), 1e-12) : 0;
        if (lossChange > 0.1) return null;
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
                              ? $" ({v.Classes} classes: top-5 accuracy is always 100 % and the first loss is " +
                                $"ln {v.Classes})" : "")
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
