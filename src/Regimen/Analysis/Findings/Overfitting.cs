using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// Memorization: the train-validation gap grows beyond the noise while training accuracy still improves and the
/// model fits most of its training data; or validation loss rises while training loss falls, over enough epochs.
/// </summary>
internal sealed class Overfitting : FindingKind
{
    public const string Id = "overfitting";
    public override string Name => Id;
    public override string Documentation =>
        "memorization: the train-validation accuracy gap ends above the gap threshold (0.05, `--gap`; critical above " +
        "0.10) and the warning (critical) number of standard errors (the validation part the larger of its binomial " +
        "error and its epoch-to-epoch spread), it grew by that many since before it opened " +
        "while training accuracy rose beyond its noise, and the model fits its training data (training accuracy at " +
        "least halfway from chance to 100 %), or its training error is under a fifth of the validation error " +
        "(it fits almost every training image, whether or not the gap grew in the log); neither while validation " +
        "is still at its best at the end (its accuracy and, where logged, its loss best in the last 2 epochs, or a " +
        "loss evaluated every few epochs within one standard error of its best) and " +
        "the gap, open 3 epochs or more, has not grown beyond the noise since it opened: that is the " +
        "generalization gap (`train-val-gap`, info); nor a gap that only the last epoch shows where that epoch's " +
        "validation accuracy fell (one low validation epoch opened it); live, while the learning " +
        "rate is still near its peak with most of the planned epochs ahead (as for `degradation`), the gap must " +
        "have been open 2 epochs and its spread be measurable; or validation loss rose " +
        "over 5 % (critical 20 %) and beyond its noise (the spread of its stretch between schedule changes, where " +
        "that has 10 epochs) from its minimum, at least 3 epochs before the end, while " +
        "training loss fell beyond its noise; or, without " +
        "training accuracy, training loss halved and fell beyond its noise over at least 5 epochs since the " +
        "validation loss stopped improving beyond its noise (the first epoch no later one betters by that), ending " +
        "under half the validation loss; or, without training accuracy and validation loss, a `degradation` beyond " +
        "the noise while training loss fell since the best epoch by over 5 % and beyond its noise; or, without " +
        "training accuracy, training loss at least halved (beyond its noise) to under a fifth of the validation " +
        "loss; these two without training accuracy only while the validation accuracy, where logged, ends at most " +
        "the gap threshold below 100 %";
    public override int MinimumEpochs(AnalysisOptions o) => 4;
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new[] { RecommendationRegistry.StrongerRegularization };

    /// <summary>
    /// What the gap says: its size, since when it stays open, whether it grew, and whether it is memorization.
    /// </summary>
    public sealed record GapMeasure(
        Judgement Size, string? Severity, int OnsetEpoch, double Before, Judgement Growth, Judgement TrainRise,
        double FinalTrain, double FinalVal, double Fit, bool FromStart, bool ValidationImproving)
    {
        public bool Grew(AnalysisOptions o) => Growth.Beyond(o.WarningSe);
        public bool TrainImproved(AnalysisOptions o) => TrainRise.Effect > 0 && TrainRise.Beyond(o.WarningSe);
        /// <summary>
        /// Training accuracy at least halfway from chance to 100 %: the model fits its training data.
        /// </summary>
        public bool Fits => FinalTrain >= Fit;
        /// <summary>
        /// Training error under a fifth of the validation error: the model fits (almost) every training image and not
        /// the validation ones, memorization whether or not the gap grew in this log (a second stage of a training,
        /// or a log that starts late, opens with the gap already there).
        /// </summary>
        public bool Saturated => 1 - FinalTrain <= (1 - FinalVal) / 5;
        /// <summary>
        /// Memorization: the gap grew while training accuracy rose and the model fits its training data, or it fits
        /// almost every training image; never while validation is still at its best at the end and the gap no
        /// wider than since it opened (a gap that stays put while validation keeps improving is the generalization
        /// gap, not memorization at validation's expense).
        /// </summary>
        public bool Memorization(AnalysisOptions o) =>
            !ValidationImproving && (Grew(o) && TrainImproved(o) && Fits || Saturated);
    }

    /// <summary>The gap at the end judged against its noise, or null without training accuracy.</summary>
    public static GapMeasure? MeasureGap(LogView v, AnalysisOptions o) =>
        v.Once(nameof(MeasureGap), o, () => MeasureGapOnce(v, o));

    static GapMeasure? MeasureGapOnce(LogView v, AnalysisOptions o)
    {
        if (v.Gap.Count < 1) return null;
        // Before the decay, a gap one validation epoch opens is a swing until the swings can be measured.
        if (v.BeforeDecay && !v.Noise.SpreadKnown("val_acc")) return null;
        var last = v.Gap[^1];
        var final = v.Log.Epochs.Last(e => e.Epoch == last.Epoch);
        double train = final.TrainAccuracy!.Value, val = final.ValAccuracy!.Value;
        // Against the training's own swings: a gap that one unlucky validation epoch opens is no memorization.
        var noise = v.Noise.ProcessGap(train, val);
        var size = Judgement.Points(last.Gap, noise);
        // The onset: the first epoch from which the gap stays above the threshold to the end.
        int onset = v.Gap.Count - 1;
        while (onset > 0 && v.Gap[onset - 1].Gap > o.GapWarning) onset--;
        // Where it grew from: the smallest gap up to the onset (the first epoch's when it was open from the start).
        var reference = v.Gap[0];
        for (int i = 1; i <= onset; i++)
            if (v.Gap[i].Gap < reference.Gap) reference = v.Gap[i];
        var growth = Judgement.Points(last.Gap - reference.Gap, noise.Times(Math.Sqrt(2)));
        var trainAt = LogView.FirstAt(v.Log, reference.Epoch).TrainAccuracy!.Value;
        var trainRise = Judgement.Points(train - trainAt, v.Noise.TrainAccuracy(train).Times(Math.Sqrt(2)));
        double chance = v.Classes is > 1 ? 1.0 / v.Classes.Value : 0;
        // A gap that only the last epoch shows is a swing until the next epoch says otherwise: before the decay, and
        // where that epoch's validation accuracy fell (one low validation epoch opened it, not the training's rise).
        bool swing = onset == v.Gap.Count - 1 && (v.BeforeDecay || ValidationDipped(v));
        return new(size, swing ? null : size.Grade(o, o.GapWarning, o.GapCritical), v.Gap[onset].Epoch, reference.Gap,
            growth, trainRise,
            train, val, (1 + chance) / 2, FromStart: onset == 0 && !growth.Beyond(o.WarningSe),
            ValidationImproving: AtItsBestAtTheEnd(v, "val_acc", higher: true)
                                 && AtItsBestAtTheEnd(v, "val_loss", higher: false)
                                 && v.Gap.Count - onset >= StayEpochs
                                 && !SteadyGrowth(v, onset, noise).Beyond(o.WarningSe));
    }

    /// <summary>Whether the last gap epoch's validation accuracy is below the one before it (both logged).</summary>
    static bool ValidationDipped(LogView v)
    {
        var acc = v.Series("val_acc");
        return v.Gap.Count >= 2 && acc.Count >= 2 && acc[^1].Epoch == v.Gap[^1].Epoch && acc[^1].Value < acc[^2].Value;
    }

    /// <summary>
    /// How much the gap grew since it opened: the last gap over the smallest one from the onset on (a gap that
    /// keeps widening while validation creeps up is memorization starting; one that stays put is not).
    /// </summary>
    static Judgement SteadyGrowth(LogView v, int onset, Noise noise)
    {
        double least = double.MaxValue;
        for (int i = onset; i < v.Gap.Count; i++) least = Math.Min(least, v.Gap[i].Gap);
        return Judgement.Points(v.Gap[^1].Gap - least, noise.Times(Math.Sqrt(2)));
    }

    /// <summary>
    /// Epochs a gap must have stayed open without growing to be the generalization gap: one that opened at the last
    /// epoch has grown into the threshold just now.
    /// </summary>
    const int StayEpochs = 3;

    /// <summary>Epochs at the end of a series its best may lie in for validation to be still improving.</summary>
    const int ImprovingEpochs = 2;

    /// <summary>Whether a series is evaluated every few epochs (its median interval is over one epoch).</summary>
    static bool Sparse(List<(int Epoch, double Value)> series)
    {
        var steps = series.Zip(series.Skip(1), (a, b) => b.Epoch - a.Epoch).Order().ToList();
        return steps.Count > 0 && steps[steps.Count / 2] > 1;
    }

    /// <summary>
    /// Whether a validation series (one not logged counts as at its best) has its best value in its last 2 epochs
    /// (lung CT: validation loss lowest at epoch 19 of 20, accuracy best at 19, with a 6-point gap since epoch 6
    /// that stays within 5.5-7.3 points); or, for a loss evaluated every few epochs, ends within one standard error
    /// of a difference of its best: its last value is its best but for a rounding (loop-cifar10-test-every5's test
    /// loss, every 5 epochs: 0.3719 at epoch 40, 0.3731 at 50), it has not got worse.
    /// </summary>
    static bool AtItsBestAtTheEnd(LogView v, string metric, bool higher)
    {
        var series = v.Series(metric);
        if (series.Count < ImprovingEpochs + 2) return series.Count == 0;
        int best = 0;
        for (int i = 1; i < series.Count; i++)
            if (higher ? series[i].Value > series[best].Value : series[i].Value < series[best].Value) best = i;
        if (best >= series.Count - ImprovingEpochs) return true;
        // Evaluated every few epochs, a loss flat between its last evaluations may end a rounding above its best.
        if (higher || !Sparse(series)) return false;
        var noise = v.Noise.MetricDifference(metric, series[best].Value, series[^1].Value);
        return noise.Known && Math.Abs(series[^1].Value - series[best].Value) <= noise.Se;
    }

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        if (MeasureGap(v, o) is { } g)
        {
            if (g.Severity is { } severity && g.Memorization(o))
            {
                var evidence = new Dictionary<string, double>
                {
                    ["final_gap"] = v.Gap[^1].Gap, ["gap_before_onset"] = g.Before, ["onset_epoch"] = g.OnsetEpoch,
                    ["final_train_acc"] = g.FinalTrain, ["final_val_acc"] = g.FinalVal,
                    ["gap_growth"] = g.Growth.Effect,
                    ["train_acc_rise"] = g.TrainRise.Effect, ["fit_threshold"] = g.Fit,
                };
                g.Size.AddTo(evidence);
                int onsetIndex = v.Gap.FindIndex(p => p.Epoch == g.OnsetEpoch);
                yield return new Finding
                {
                    Kind = Id,
                    Severity = severity,
                    FirstEpoch = g.OnsetEpoch,
                    LastEpoch = v.Gap[^1].Epoch,
                    Summary = $"Training accuracy is {LogView.Points(v.Gap[^1].Gap)} above validation at epoch " +
                              $"{v.Gap[^1].Epoch} ({Units.Percent(g.FinalTrain)} vs {Units.Percent(g.FinalVal)}; gap " +
                              $"{g.Size.Text}); the gap has stayed above {o.GapWarning * 100:0.#} points since epoch " +
                              $"{g.OnsetEpoch} " +
                              (g.Grew(o) && g.TrainImproved(o) && g.Fits
                                  ? $"and grew from {LogView.Points(g.Before)} while training accuracy rose " +
                                    $"{g.TrainRise.EffectText} to {Units.Percent(g.FinalTrain)}"
                                  : "and the training error is under a fifth of the validation error") +
                              ": the model memorizes its training images.",
                    Evidence = evidence,
                    Noise = g.Size.Text,
                    Confidence = Math.Min(0.95, 0.5 + (g.Size.Effect - o.GapWarning) * 4 +
                        (v.Gap.Count - onsetIndex) * 0.03),
                };
            }
        }
        if (LossRise(c) is { } byLoss) yield return byLoss;
        else if (v.Gap.Count == 0 && RoomForAGap(c) && LossDivergence(c) is { } apart) yield return apart;
        else if (v.Gap.Count == 0 && !c.Log.Has(e => e.ValLoss) && AccuracyFall(c) is { } fall) yield return fall;
        else if (v.Gap.Count == 0 && RoomForAGap(c) && LossSaturated(c) is { } saturated) yield return saturated;
    }

    /// <summary>
    /// Whether the validation accuracy, where logged, ends low enough for a gap above the threshold: at 99 %
    /// validation accuracy no model memorizes at its expense, whatever the losses say (YOLO's val/loss is on a scale
    /// of its own: 2.26 at 99.2 % top-1).
    /// </summary>
    static bool RoomForAGap(RunCheck c) =>
        c.Series("val_acc") is not { Count: > 0 } acc || acc[^1].Value <= 1 - c.Options.GapWarning;

    /// <summary>
    /// Without training accuracy, the losses' version of <see cref="GapMeasure.Saturated"/>: training loss that fell
    /// to under a fifth of the validation loss (at least halving, beyond its noise) fits the training images far
    /// better than the validation ones, whether or not the validation loss moved meanwhile (a few evaluations, a
    /// validation loss that creeps down while accuracy stands still).
    /// </summary>
    static Finding? LossSaturated(RunCheck c)
    {
        var v = c.View;
        var trainLoss = c.Series("train_loss");
        var valLoss = c.Series("val_loss");
        if (trainLoss.Count < 4 || valLoss.Count < 2) return null;
        double start = trainLoss[0].Value, end = trainLoss[^1].Value, valEnd = valLoss[^1].Value;
        var fall = Fall(v, start, end);
        if (end <= 0 || end > 0.5 * start || end > valEnd / 5 || !fall.Beyond(c.Options.WarningSe)) return null;
        return Memorizes(trainLoss[0].Epoch, trainLoss[^1].Epoch, fall, 0.65, new()
        {
            ["train_loss_first"] = start, ["train_loss_final"] = end, ["val_loss_final"] = valEnd,
            ["loss_ratio"] = valEnd / end,
        },
            $"Training loss fell from {start:0.####} to {end:0.####} (the fall {fall.Text}), under a fifth of the " +
            $"validation loss ({valEnd:0.####}, {valEnd / end:0.#} times as high): the model fits its training " +
            "images far better than the validation images, it memorizes.", fall);
    }

    /// <summary>The least relative fall of the training loss that <see cref="AccuracyFall"/> counts.</summary>
    const double TrainLossFall = 0.05;

    /// <summary>
    /// Without training accuracy and validation loss, validation accuracy is all the log shows of generalization:
    /// when it degrades beyond its noise from its best while the training loss keeps falling beyond its own (over
    /// 5 %), the model fits its training images ever better and the validation images ever worse.
    /// </summary>
    static Finding? AccuracyFall(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        if (!v.HigherIsBetter || Degradation.Measure(v, o) is not { Severity: not null } d) return null;
        var train = c.Series("train_loss").Where(p => p.Epoch >= d.BestEpoch).ToList();
        if (train.Count < 2) return null;
        double start = train[0].Value, end = train[^1].Value;
        var fall = Fall(v, start, end);
        if (LogView.Slope(train) >= 0 || (start - end) / Math.Max(Math.Abs(start), 1e-12) < TrainLossFall
            || !fall.Beyond(o.WarningSe)) return null;
        return Memorizes(d.BestEpoch, d.FinalEpoch, d.Judgement, 0.6, new()
        {
            ["best"] = d.Best, ["best_epoch"] = d.BestEpoch, ["final"] = d.Final, ["degradation"] = d.Worse,
            ["train_loss_at_best"] = start, ["train_loss_final"] = end,
        },
            $"Since epoch {d.BestEpoch}, where {v.Metric} was best ({v.Format(d.Best)}; it ended at " +
            $"{v.Format(d.Final)}, {d.Judgement.Text}), training loss kept falling from {start:0.####} to " +
            $"{end:0.####} (the fall {fall.Text}): the model fits its training images ever better and the " +
            "validation images ever worse, it memorizes.", fall);
    }

    /// <summary>The training loss's fall from <paramref name="start"/> to <paramref name="end"/>, judged against
    /// its noise.</summary>
    static Judgement Fall(LogView v, double start, double end) =>
        Judgement.Loss(start - end, v.Noise.Metric("train_loss", end).Times(Math.Sqrt(2)));

    /// <summary>A warning of memorization the losses show, judged by <paramref name="judgement"/>; the evidence
    /// gets the SE of <paramref name="evidenceOf"/>.</summary>
    static Finding Memorizes(int first, int last, Judgement judgement, double confidence,
        Dictionary<string, double> evidence, string summary, Judgement evidenceOf)
    {
        evidenceOf.AddTo(evidence);
        return new Finding
        {
            Kind = Id, Severity = Severity.Warning, FirstEpoch = first, LastEpoch = last, Summary = summary,
            Evidence = evidence, Noise = judgement.Text, Confidence = confidence,
        };
    }

    /// <summary>Epochs after the validation loss's minimum that the divergence of the two losses needs.</summary>
    const int DivergenceEpochs = 5;

    /// <summary>
    /// Without training accuracy: the training loss keeps falling (it halves, beyond its noise) while validation
    /// stops improving (no gain beyond its noise since its minimum), and the model fits its training data far
    /// better than the validation data (training loss under half the validation loss): memorization the loss shows.
    /// </summary>
    static Finding? LossDivergence(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        var trainLoss = c.Series("train_loss");
        var valLoss = c.Series("val_loss");
        if (trainLoss.Count < DivergenceEpochs + 1 || valLoss.Count < DivergenceEpochs + 1) return null;
        var minVal = StoppedImproving(v, o, valLoss);
        var after = trainLoss.Where(p => p.Epoch >= minVal.Epoch).ToList();
        if (valLoss.Count(p => p.Epoch > minVal.Epoch) < DivergenceEpochs || after.Count < 2) return null;
        double trainStart = after[0].Value, trainEnd = after[^1].Value, valEnd = valLoss[^1].Value;
        var fall = Fall(v, trainStart, trainEnd);
        if (trainEnd > 0.5 * trainStart || !fall.Beyond(o.WarningSe) || trainEnd > 0.5 * valEnd) return null;
        return Memorizes(minVal.Epoch, valLoss[^1].Epoch, fall, 0.7, new()
        {
            ["val_loss_min"] = minVal.Value, ["val_loss_min_epoch"] = minVal.Epoch, ["val_loss_final"] = valEnd,
            ["train_loss_at_min"] = trainStart, ["train_loss_final"] = trainEnd,
        },
            $"Since epoch {minVal.Epoch}, after which validation loss improved no more than its noise " +
            $"({minVal.Value:0.####}; it ended at {valEnd:0.####}), training loss fell from {trainStart:0.####} to " +
            $"{trainEnd:0.####} (the fall {fall.Text}) and is under half the validation loss: the model fits its " +
            "training images ever better and the validation images no better, it memorizes.", fall);
    }

    /// <summary>
    /// The epoch since which the validation loss has not improved beyond its noise: the first whose value no later
    /// epoch betters by the warning number of standard errors of a difference. On a flat curve that is where it went
    /// flat, not the epoch that happens to be lowest among its wiggles.
    /// </summary>
    static (int Epoch, double Value) StoppedImproving(LogView v, AnalysisOptions o,
        List<(int Epoch, double Value)> valLoss)
    {
        var laterMin = new double[valLoss.Count];
        laterMin[^1] = valLoss[^1].Value;
        for (int i = valLoss.Count - 2; i >= 0; i--) laterMin[i] = Math.Min(valLoss[i].Value, laterMin[i + 1]);
        for (int i = 0; i < valLoss.Count; i++)
        {
            var gain = Judgement.Loss(valLoss[i].Value - laterMin[i],
                v.Noise.Metric("val_loss", laterMin[i]).Times(Math.Sqrt(2)));
            if (!gain.Beyond(o.WarningSe)) return valLoss[i];
        }
        return valLoss[^1];
    }

    public override IEnumerable<string> Lacks(Runs.TrainingLog log)
    {
        if (!log.Has(e => e.TrainAccuracy) || !log.Has(e => e.ValAccuracy))
            yield return "overfitting by accuracy gap: the log has no training accuracy" +
                         (log.Format is "timm" or "ffcv" or "huggingface" ? $" ({log.Format} does not record it)" : "");
        if (!log.Has(e => e.ValLoss)) yield return "overfitting by loss: the log has no validation loss";
    }

    /// <summary>The loss view: validation loss rising from its minimum while training loss keeps falling.</summary>
    static Finding? LossRise(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        var trainLoss = c.Series("train_loss");
        var valLoss = c.Series("val_loss");
        if (trainLoss.Count < 4 || valLoss.Count < 4) return null;
        var minVal = valLoss[0];
        foreach (var p in valLoss) if (p.Value < minVal.Value) minVal = p;
        var after = valLoss.Where(p => p.Epoch >= minVal.Epoch).ToList();
        var trainAfter = trainLoss.Where(p => p.Epoch >= minVal.Epoch).ToList();
        if (after.Count < 4 || trainAfter.Count < 2) return null;
        double level = Math.Max(Math.Abs(minVal.Value), 1e-12);
        double rise = (valLoss[^1].Value - minVal.Value) / level;
        var valNoise = v.StretchNoise("val_loss", valLoss, minVal.Epoch, minVal.Value).Times(Math.Sqrt(2) / level);
        var judgement = new Judgement(rise, valNoise, $"{rise * 100:0.#} %", $"{valNoise.Se * 100:0.#} %");
        var trainNoise = v.Noise.Metric("train_loss", trainAfter[^1].Value).Times(Math.Sqrt(2));
        bool trainFalls = LogView.Slope(trainAfter) < 0
                          && Judgement.Loss(trainAfter[0].Value - trainAfter[^1].Value, trainNoise).Beyond(o.WarningSe);
        if (!trainFalls || LogView.Slope(after) <= 0 || judgement.Grade(o, 0.05, 0.2) is not { } severity) return null;
        var evidence = new Dictionary<string, double>
        {
            ["val_loss_min"] = minVal.Value, ["val_loss_min_epoch"] = minVal.Epoch,
            ["val_loss_final"] = valLoss[^1].Value,
            ["relative_rise"] = rise,
        };
        judgement.AddTo(evidence);
        return new Finding
        {
            Kind = Id,
            Severity = severity,
            FirstEpoch = minVal.Epoch,
            LastEpoch = valLoss[^1].Epoch,
            Summary = $"Validation loss rose {rise * 100:0.#} % from its minimum {minVal.Value:0.####} at epoch " +
                      $"{minVal.Epoch} to {valLoss[^1].Value:0.####} ({judgement.Text}), while training loss kept " +
                      $"falling ({trainAfter[0].Value:0.####} → {trainAfter[^1].Value:0.####}).",
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = Math.Min(0.9, 0.5 + rise + after.Count * 0.03),
        };
    }
}
