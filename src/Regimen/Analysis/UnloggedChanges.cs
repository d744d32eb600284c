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
    internal const double MinimumJump = 0.03, SpreadMultiple = 10;
    /// <summary>The jump must be this many times the largest change of the epochs around it.</summary>
    internal const double IsolationMultiple = 3;
    const int Around = 3;

    public static TrainingLog WithJumps(TrainingLog log) => WithJumps(log, new LogSeries(log));

    /// <summary>The step must be this many times the trend of the epochs before it per epoch.</summary>
    const double TrendMultiple = 5;
    const int Before = 3, After = 4;

    /// <summary>
    /// Where a log records neither a learning rate nor a schedule, the epochs at which the metric's level jumps for
    /// good, the way a step decay of an unlogged learning rate makes it (steplr-signs-md: 67 % to 82 % at epoch 6,
    /// then flat): the mean of the 4 epochs from the change beats that of the 3 before, and the best of them, by over 3
    /// points, that of the 3 before by twice
    /// the warning number of standard errors of the run's own epoch-to-epoch spread (it is looked for at every
    /// epoch), every one of those 4 epochs beats every one of the 3, the step at the change is 3 times any change
    /// of the 4 epochs after it (the curve settles) and 5 times the trend of the 6 epochs before it per epoch (not
    /// the steep climb of the first epochs), and the epochs are evenly spaced (not a gap in an excerpt).
    /// </summary>
    internal static List<int> MetricJumps(IReadOnlyList<(int Epoch, double Value)> values, bool higherIsBetter,
        double warningSe)
    {
        var jumps = new List<int>();
        double spread = Math.Max(NoiseModel.EpochSpread(values), NoiseModel.AccuracyFloor);
        if (double.IsNaN(spread) || values.Count < Before + After + 1) return jumps;
        double sign = higherIsBetter ? 1 : -1;
        for (int i = Before; i + After <= values.Count; i++)
        {
            if (jumps.Count > 0 && values[i].Epoch - jumps[^1] <= After) continue;
            // The cheap tests first (a log of 10^6 epochs): a step the right way, 3 times the next change.
            double rise = sign * (values[i].Value - values[i - 1].Value);
            if (rise <= 0 || rise < IsolationMultiple * Math.Abs(values[i + 1].Value - values[i].Value)) continue;
            int spacing = values[i].Epoch - values[i - 1].Epoch;
            if (Enumerable.Range(i - Before + 1, Before + After - 1).Any(k => values[k].Epoch - values[k - 1].Epoch
                    != spacing)) continue;
            var before = Enumerable.Range(i - Before, Before).Select(k => values[k].Value).ToList();
            var after = Enumerable.Range(i, After).Select(k => values[k].Value).ToList();
            double level = sign * (after.Average() - before.Average()), step = sign * (values[i].Value -
                values[i - 1].Value);
            // ... and over the best of the epochs before by as much: a dip before the change lowers their mean only.
            if (level <= MinimumJump || step <= 0
                || sign * after.Average() - before.Max(x => sign * x) <= MinimumJump) continue;
            if (after.Select(x => sign * x).Min() <= before.Select(x => sign * x).Max()) continue;
            if (level < 2 * warningSe * spread * Math.Sqrt(1.0 / Before + 1.0 / After)) continue;
            double settled = Enumerable.Range(i + 1, After - 1)
                .Max(k => Math.Abs(values[k].Value - values[k - 1].Value));
            if (step < IsolationMultiple * settled) continue;
            var trend = Enumerable.Range(Math.Max(0, i - 2 * Before), Math.Min(i, 2 * Before))
                .Select(k => values[k]).ToList();
            if (trend.Count >= 3 && step < TrendMultiple * Math.Abs(LogView.Slope(trend)) * spacing) continue;
            jumps.Add(values[i].Epoch);
        }
        return jumps;
    }

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
