using System.Globalization;
using Regimen.Recipes;

namespace Regimen.Training;

/// <summary>
/// Stops training when a recorded metric has not improved by <c>min_delta</c> for <c>patience</c> epochs, never
/// before <c>min_epochs</c>; the run records the epoch and the reason. With <c>restore_best</c> the model ends
/// with the weights of its best epoch (from checkpoints/best.ckpt, which the run keeps anyway).
/// </summary>
public sealed class EarlyStopping : TrainingCallback
{
    readonly EarlyStoppingSection s;
    double? best;
    int bestEpoch = -1, bad;

    public EarlyStopping(EarlyStoppingSection section) => s = section;

    public static double? Metric(EpochResult r, string name) => name switch
    {
        "val_acc" => r.ValAccuracy,
        "val_loss" => r.ValLoss,
        "val_acc_tta" => r.ValAccuracyTta,
        "val_acc_ema" => r.ValAccuracyEma,
        "val_loss_ema" => r.ValLossEma,
        "val_top5" => r.ValTop5,
        "train_loss" => r.TrainLoss,
        "train_acc" => r.TrainAccuracy,
        _ => throw new RegimenException($"early_stopping.monitor: unknown metric '{name}'"),
    };

    public static readonly string[] Metrics = { "val_acc", "val_loss", "val_acc_tta", "val_acc_ema", "val_loss_ema", "val_top5", "train_loss", "train_acc" };

    /// <summary>Null for a metric early stopping can watch, else what is wrong with it and the closest known one.</summary>
    public static string? CheckMetric(string name) =>
        Metrics.Contains(name) ? null : $"unknown metric '{name}'" + DidYouMean.Hint(name, Metrics);

    public override void OnTrainStart(TrainingContext context)
    {
        // A resumed run replays the history it already has, so patience counts the same as without the interruption.
        foreach (var r in context.History) Observe(r);
    }

    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        Observe(result);
        if (bad >= s.Patience && result.Epoch + 1 >= s.MinEpochs && result.Epoch + 1 < context.Setup.Recipe.Epochs)
            context.StopReason = string.Create(CultureInfo.InvariantCulture,
                $"{s.Monitor} did not improve by {s.MinDelta} for {bad} epochs (best {best:G6} at epoch {bestEpoch}); stopped after epoch {result.Epoch} of {context.Setup.Recipe.Epochs}");
    }

    void Observe(EpochResult r)
    {
        var value = Metric(r, s.Monitor);
        if (value is null) return;
        bool better = best is null || (s.Mode == "max" ? value > best + s.MinDelta : value < best - s.MinDelta);
        if (better) { best = value; bestEpoch = r.Epoch; bad = 0; }
        else bad++;
    }
}
