using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// A jump of training accuracy at one epoch, far beyond its epoch-to-epoch spread and its neighbours' changes, where
/// the log records no schedule change: something changed that the log does not say (augmentations off, MixUp
/// ended, a new resolution, a step of an unlogged learning rate). It becomes a schedule event, so that what it does
/// to the gap is judged as a schedule-shift.
/// </summary>
internal static class UnloggedChanges
{
    /// <summary>The least jump, in accuracy (3 points), and in multiples of the series' own spread.</summary>
    const double MinimumJump = 0.03, SpreadMultiple = 10;
    /// <summary>The jump must be this many times the largest change of the epochs around it.</summary>
    const double IsolationMultiple = 3;
    const int Around = 3;

    public static TrainingLog WithJumps(TrainingLog log) => WithJumps(log, new LogSeries(log));

    /// <summary><see cref="WithJumps(TrainingLog)"/> with the series an analysis has built.</summary>
    internal static TrainingLog WithJumps(TrainingLog log, LogSeries series)
    {
        var train = series["train_acc"];
        if (train.Count < 2 * Around + 2) return log;
        var logged = log.Events.Where(e => e.Kind == "schedule").Select(e => e.Epoch).ToHashSet();
        double spread = NoiseModel.EpochSpread(train, logged);
        if (double.IsNaN(spread)) return log;
        var added = new List<LogEvent>();
        for (int i = Around; i < train.Count; i++)
        {
            double jump = train[i].Value - train[i - 1].Value;
            // A logged change shows in the next epochs too (an epoch's training accuracy is averaged while it learns).
            int epoch = train[i].Epoch;
            if (Math.Abs(jump) < Math.Max(MinimumJump, SpreadMultiple * spread)
                || logged.Any(at => epoch >= at && epoch <= at + Around)) continue;
            double around = Enumerable.Range(i - Around, 2 * Around + 1)
                .Where(k => k != i && k >= 1 && k < train.Count)
                .Select(k => Math.Abs(train[k].Value - train[k - 1].Value)).DefaultIfEmpty(0).Max();
            if (Math.Abs(jump) < IsolationMultiple * around) continue;
            added.Add(new LogEvent(train[i].Epoch, "schedule", "unlogged change", Units.Percent(train[i - 1].Value),
                Units.Percent(train[i].Value),
                    "training accuracy jumped in one epoch and the log records no schedule change"));
        }
        return added.Count == 0 ? log : log with { Events = log.Events.Concat(added).OrderBy(e => e.Epoch).ToList() };
    }
}
