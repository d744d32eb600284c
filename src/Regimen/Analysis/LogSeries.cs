using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// The role series of one log (val_acc, train_loss, lr...: <see cref="TrainingLog.RoleSelector"/>), each built once
/// for one analysis: a log of 10^6 epochs takes tens of milliseconds a series, and the checks, the noise model and
/// the derived schedule events read the same few series two dozen times (bench/RESULTS.md). The lists are shared:
/// read them, never change them. The log must not change while they are in use (an analysis does not change it).
/// </summary>
internal sealed class LogSeries(TrainingLog log)
{
    readonly Dictionary<string, List<(int Epoch, double Value)>> built = new();

    /// <summary>Whether <paramref name="other"/> has these epochs (a derived log differs in its events only).</summary>
    public bool Covers(TrainingLog other) => ReferenceEquals(other.Epochs, log.Epochs);

    /// <summary>(epoch, value) for every epoch with a finite value of the role, as
    /// <see cref="TrainingLog.Series"/> gives it.</summary>
    public List<(int Epoch, double Value)> this[string role]
    {
        get
        {
            if (!built.TryGetValue(role, out var points))
                built[role] = points = log.Series(TrainingLog.RoleSelector(role)
                    ?? throw new ArgumentException($"'{role}' is not a role of a log", nameof(role)));
            return points;
        }
    }

    /// <summary>The series a metric name stands for, as <see cref="TrainingLog.MetricSeries"/> gives it.</summary>
    public List<(int Epoch, double Value)>? Metric(string metric) =>
        TrainingLog.RoleSelector(metric) is not null ? this[metric] : log.MetricSeries(metric);
}
