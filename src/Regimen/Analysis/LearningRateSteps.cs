using System.Globalization;
using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// Step changes of a logged learning rate as schedule events, for logs that record the rate but not its schedule
/// (a step decay read from timm's, Keras' or a CSV's lr column): the jump such a step causes is then judged as a
/// schedule-shift, and the noise model does not measure its spread across it.
/// </summary>
internal static class LearningRateSteps
{
    /// <summary>A step: the rate changes by at least this factor from one epoch to the next...</summary>
    const double StepFactor = 2;
    /// <summary>
    /// ...while the epochs around it change by less than this factor (warmup and cosine change every epoch).
    /// </summary>
    const double SmoothFactor = 1.1;

    /// <summary>
    /// The log with an lr schedule event at each step change of its lr series that no event records yet.
    /// </summary>
    public static TrainingLog WithSteps(TrainingLog log) => WithSteps(log, new LogSeries(log));

    /// <summary><see cref="WithSteps(TrainingLog)"/> with the series an analysis has built.</summary>
    internal static TrainingLog WithSteps(TrainingLog log, LogSeries series)
    {
        var steps = Steps(series["lr"]);
        var recorded = log.Events.Where(e => e.Kind == "schedule" &&
            (e.Key ?? "").Contains("lr", StringComparison.Ordinal))
            .Select(e => e.Epoch).ToHashSet();
        var added = steps.Where(s => !recorded.Contains(s.Epoch))
            .Select(s => new LogEvent(s.Epoch, "schedule", "lr", F(s.From), F(s.To),
                "a step of the logged learning rate"))
            .ToList();
        return added.Count == 0 ? log : log with { Events = log.Events.Concat(added).OrderBy(e => e.Epoch).ToList() };
    }

    public static List<(int Epoch, double From, double To)> Steps(IReadOnlyList<(int Epoch, double Value)> lr)
    {
        var steps = new List<(int, double, double)>();
        double Ratio(int i) => lr[i - 1].Value > 0 && lr[i].Value > 0 ? lr[i].Value / lr[i - 1].Value : double.NaN;
        bool Smooth(int i) => i < 1 || i >= lr.Count || Ratio(i) is var r && double.IsFinite(r) && r < SmoothFactor &&
            r > 1 / SmoothFactor;
        for (int i = 1; i < lr.Count; i++)
        {
            double r = Ratio(i);
            if (!double.IsFinite(r) || (r < StepFactor && r > 1 / StepFactor)) continue;
            // The epoch before must be smooth too (a first-epoch step after no history is a warmup's start).
            if (i >= 2 && Smooth(i - 1) && Smooth(i + 1)) steps.Add((lr[i].Epoch, lr[i - 1].Value, lr[i].Value));
        }
        return steps;
    }

    static string F(double x) => Units.Significant(x, 4);
}
