namespace Regimen.Analysis.Findings;

/// <summary>
/// Training accuracy above validation beyond the noise, but not memorization: open from the first epoch, or with
/// the model far from fitting its training data. Reported for what it likely is, never as overfitting.
/// </summary>
internal sealed class TrainValGap : FindingKind
{
    public const string Id = "train-val-gap";
    public override string Name => Id;
    public override string Documentation =>
        "(warning at most) a train-validation accuracy gap above the gap threshold and the warning number of " +
        "standard errors that is not memorization: open from the first epoch without growing, or with training " +
        "accuracy short of halfway from chance to 100 %, or before `overfitting` can be judged (info where " +
        "validation is still at its best at the end and the gap stays put: the generalization gap); its likely " +
        "causes are named (BatchNorm statistics, training accuracy measured on augmented batches in training mode, a " +
        "learning rate too high, a validation split unlike the training one)";

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var o = c.Options;
        if (Overfitting.MeasureGap(v, o) is not { Severity: not null } g) yield break;
        bool early = c.Log.Epochs.Count < new Overfitting().MinimumEpochs(o);
        if (!early && g.Memorization(o)) yield break;
        string what = g.ValidationImproving
            ? "validation is still at its best at the end" + (c.Series("val_loss").Count > 0
                  ? " (its accuracy and its loss)" : "") +
              $" and the gap has not grown beyond the noise since epoch {g.OnsetEpoch}: the generalization gap, " +
              "not a model that learns its training images at the validation images' expense"
            : g.FromStart
            ? $"it is there from epoch {v.Gap[0].Epoch} ({LogView.Points(v.Gap[0].Gap)}) and did not grow beyond " +
                $"the noise"
            : !g.Fits
                ? $"training accuracy is {Units.Percent(g.FinalTrain)}, short of the {g.Fit * 100:0.#} % at which a " +
                  "model fits its training data"
                : early
                    ? $"after {c.Log.Epochs.Count} epochs it is too early to call it memorization"
                    : !g.Grew(o) ? "it did not grow beyond the noise"
                    : "training accuracy did not rise beyond its noise while it opened";
        var evidence = new Dictionary<string, double>
        {
            ["final_gap"] = v.Gap[^1].Gap, ["first_gap"] = v.Gap[0].Gap, ["final_train_acc"] = g.FinalTrain,
            ["final_val_acc"] = g.FinalVal, ["fit_threshold"] = g.Fit,
        };
        g.Size.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id,
            // Validation still improving: the gap is worth knowing, no problem to act on.
            Severity = g.ValidationImproving ? Severity.Info : Severity.Warning,
            FirstEpoch = v.Gap[0].Epoch,
            LastEpoch = v.Gap[^1].Epoch,
            Summary = $"Training accuracy is {LogView.Points(v.Gap[^1].Gap)} above validation at epoch " +
                      $"{v.Gap[^1].Epoch} ({Units.Percent(g.FinalTrain)} vs {Units.Percent(g.FinalVal)}; gap " +
                      $"{g.Size.Text}), but this is no memorization: {what}." + (g.ValidationImproving ? ""
                          : " Likely causes: BatchNorm statistics that do not match in evaluation mode (small or " +
                            "unshuffled batches, a learning rate too high), training accuracy measured on augmented " +
                            "batches in training mode, or a validation split unlike the training one."),
            Evidence = evidence,
            Noise = g.Size.Text,
            Confidence = 0.6,
        };
    }
}
