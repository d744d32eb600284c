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

    readonly Monitor monitor;
    readonly bool higherIsBetter;

    /// <summary>The monitor's own direction unless early_stopping.mode says min or max (Keras' mode: auto).</summary>
    public EarlyStopping(EarlyStoppingSection section)
    {
        s = section;
        monitor = Monitor.Get(section.Monitor);
        higherIsBetter = section.Mode switch { "max" => true, "min" => false, _ => monitor.HigherIsBetter };
    }


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
                $"{s.Monitor} did not improve by {s.MinDelta} for {bad} epochs " +
                $"(best {best:G6} at epoch {bestEpoch}); " +
                $"stopped after epoch {result.Epoch} of {context.Setup.Recipe.Epochs}");
    }

    void Observe(EpochResult r)
    {
        var value = monitor.Read(r);
        if (value is null) return;
        bool better = best is null || (higherIsBetter ? value > best + s.MinDelta : value < best - s.MinDelta);
        if (better) { best = value; bestEpoch = r.Epoch; bad = 0; }
        else bad++;
    }
}
