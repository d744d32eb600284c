using System.Globalization;

namespace Regimen.Analysis.Findings;

/// <summary>Validation above training, explained by the regularization training runs under (seed 002).</summary>
internal sealed class NegativeGap : FindingKind
{
    public const string Id = "negative-gap";
    public override string Name => Id;
    public override string Documentation =>
        "(info) validation above training by over 1 point on average over the last third; explained by the " +
        "training-time regularization the recipe or hyperparameters show (MixUp, dropout, smoothing, augmentation), " +
        "as in seed 002; the mean must also be the warning number of standard errors of the gap below zero";
    public override int MinimumEpochs(AnalysisOptions o) => 3;

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        if (v.Gap.Count < 3) yield break;
        var tail = v.Gap.Skip(v.Gap.Count * 2 / 3).ToList();
        double mean = tail.Average(g => g.Gap);
        if (mean >= -c.Options.NegativeGap) yield break;
        var e = c.Log.Epochs.First(x => x.Epoch == tail[^1].Epoch);
        var judgement = Judgement.Points(-mean, v.Noise.Gap(e.TrainAccuracy!.Value, e.ValAccuracy!.Value));
        if (!judgement.Beyond(c.Options.WarningSe)) yield break;
        var regularizers = Regularizers(c.Log.Hyperparameters);
        yield return new Finding
        {
            Kind = Id,
            Severity = Severity.Info,
            FirstEpoch = tail[0].Epoch,
            LastEpoch = tail[^1].Epoch,
            Summary = $"Validation accuracy is above training accuracy by {Units.PointsMagnitude(mean)} on average " +
                      $"over the last third (final {LogView.Points(v.Gap[^1].Gap)}). " +
                      (regularizers.Count > 0
                          ? $"Training accuracy is measured under {string.Join(", ", regularizers)}, which " +
                              $"validation " +
                            "does not see: this is expected and no sign of a problem."
                          : "Training accuracy is measured on augmented batches in training mode, validation is not: " +
                            "the gap is no sign of a problem by itself."),
            Evidence = Evidence(mean, v.Gap[^1].Gap, judgement),
            Noise = judgement.Text,
            Confidence = regularizers.Count > 0 ? 0.8 : 0.6,
        };
    }

    static Dictionary<string, double> Evidence(double mean, double final, Judgement judgement)
    {
        var evidence = new Dictionary<string, double> { ["mean_gap_last_third"] = mean, ["final_gap"] = final };
        judgement.AddTo(evidence);
        return evidence;
    }

    /// <summary>The training-time regularization the hyperparameters show, as "MixUp 0.2".</summary>
    static List<string> Regularizers(Dictionary<string, string> h)
    {
        var found = new List<string>();
        void Check(string label, params string[] keys)
        {
            foreach (var k in keys)
                if (h.TryGetValue(k, out var s) &&
                    double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                    && x > 0)
                {
                    found.Add($"{label} {s}");
                    return;
                }
        }
        Check("MixUp", "mixup.mixup_alpha", "mixup");
        Check("CutMix", "mixup.cutmix_alpha", "cutmix");
        Check("dropout", "model.dropout", "drop", "dropout");
        Check("label smoothing", "regularization.label_smoothing", "smoothing", "label_smoothing");
        Check("drop path", "model.drop_path", "drop_path");
        if (h.TryGetValue("augment.enabled", out var aug) && aug == "true") found.Add("training augmentations");
        return found;
    }
}
