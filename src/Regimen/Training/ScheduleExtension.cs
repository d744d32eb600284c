using Regimen.Recipes;

namespace Regimen.Training;

/// <summary>
/// <c>train --resume RUN --extend N</c>: the N epochs added after a run's end keep its schedule up to the seam and
/// then follow a tail of the learning rate from the rate of the last step before the seam down to the schedule's
/// floor (min_lr; one-cycle's last rate; the current rate for schedules without one), so the rate never jumps.
/// </summary>
public static class ScheduleExtension
{
    /// <summary>
    /// The extension of <paramref name="setup"/>'s recipe from <paramref name="seam"/> on; <paramref name="history"/>
    /// holds the epochs trained so far (a plateau schedule's rate depends on them).
    /// </summary>
    public static Extension At(TrainingSetup setup, int seam, int epochs, string tail,
        IReadOnlyList<EpochResult> history)
    {
        int steps = setup.BatchesPerEpoch;
        var schedule = setup.Plan.At(seam - 1).Schedule;
        var monitored = history.Select(h => setup.Monitor.Read(h) ?? double.NaN).ToList();
        double from = schedule.At(seam - 1, steps - 1, steps, monitored, setup.Monitor.HigherIsBetter);
        return new Extension
        {
            FromEpoch = seam, Epochs = epochs, PlannedEpochs = setup.Recipe.Epochs, Tail = tail,
            FromLr = from, ToLr = Math.Min(from, schedule.Floor ?? from), PerStep = schedule.Section.PerStep,
        };
    }

}
