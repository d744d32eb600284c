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
                built[role] = points = Build(log.Epochs, role);
            return points;
        }
    }

    /// <summary>
    /// A role's series as <see cref="TrainingLog.Series"/> builds it from <see cref="TrainingLog.RoleSelector"/>, the
    /// field read by a struct the compiler inlines instead of a delegate per epoch: a fresh process runs a delegate's
    /// target unoptimized for the whole pass over 10^6 epochs (the runtime promotes it only once compiling quiets).
    /// </summary>
    static List<(int Epoch, double Value)> Build(List<LogEpoch> epochs, string role) => role switch
    {
        "val_acc" => Collect<ValAccuracy>(epochs),
        "val_loss" => Collect<ValLoss>(epochs),
        "train_acc" => Collect<TrainAccuracy>(epochs),
        "train_loss" => Collect<TrainLoss>(epochs),
        "val_top5" => Collect<ValTop5>(epochs),
        "lr" => Collect<LearningRate>(epochs),
        "epoch_time" => Collect<EpochSeconds>(epochs),
        _ => throw new ArgumentException($"'{role}' is not a role of a log", nameof(role)),
    };

    static List<(int Epoch, double Value)> Collect<TRole>(List<LogEpoch> epochs) where TRole : struct, IRole
    {
        var points = new List<(int Epoch, double Value)>(epochs.Count);
        foreach (var e in epochs)
            if (default(TRole).Of(e) is { } v && double.IsFinite(v)) points.Add((e.Epoch, v));
        return points;
    }

    interface IRole { double? Of(LogEpoch e); }
    readonly struct ValAccuracy : IRole { public double? Of(LogEpoch e) => e.ValAccuracy; }
    readonly struct ValLoss : IRole { public double? Of(LogEpoch e) => e.ValLoss; }
    readonly struct TrainAccuracy : IRole { public double? Of(LogEpoch e) => e.TrainAccuracy; }
    readonly struct TrainLoss : IRole { public double? Of(LogEpoch e) => e.TrainLoss; }
    readonly struct ValTop5 : IRole { public double? Of(LogEpoch e) => e.ValTop5; }
    readonly struct LearningRate : IRole { public double? Of(LogEpoch e) => e.LearningRate; }
    readonly struct EpochSeconds : IRole { public double? Of(LogEpoch e) => e.EpochSeconds; }

    /// <summary>The series a metric name stands for, as <see cref="TrainingLog.MetricSeries"/> gives it.</summary>
    public List<(int Epoch, double Value)>? Metric(string metric) =>
        TrainingLog.RoleSelector(metric) is not null ? this[metric] : log.MetricSeries(metric);
}
