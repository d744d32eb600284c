using Regimen.Runs;
using Regimen.Runs.Readers;

namespace Regimen.Sessions.Watch;

/// <summary>
/// A command's console output read as it comes, by the text-log reader's line parser (<see cref="TextLogParser"/>),
/// each completed epoch mapped to the analyst's roles by the same column-role resolver <c>regimen analyze</c> uses
/// on a saved console log. An epoch is complete when the next one starts or the output ends. Accuracies are taken
/// as percentages from the first value above 1 on (a saved log is judged by all its values at once).
/// </summary>
public sealed class TextOutputReader : IOutputReader
{
    static readonly string[] AccuracyRoles = { "train_acc", "val_acc", "val_top5" };
    readonly TextLogParser parser = new();
    readonly List<string> names = new();
    readonly HashSet<string> percent = new();
    readonly List<TextEpoch> completed = new();
    RoleMap? roles;
    int? firstEpoch;

    public string Format => "text";
    public int? PlannedEpochs { get; private set; }

    public IReadOnlyList<LogEpoch> Feed(string line)
    {
        completed.Clear();
        parser.Feed(line.AsSpan(), completed);
        return completed.Count == 0 ? Array.Empty<LogEpoch>() : completed.Select(Map).ToList();
    }

    public IReadOnlyList<LogEpoch> Complete()
    {
        completed.Clear();
        parser.Complete(completed);
        return completed.Select(Map).ToList();
    }

    LogEpoch Map(TextEpoch e)
    {
        firstEpoch ??= e.Epoch;
        if (e.Total is { } total) PlannedEpochs = firstEpoch == 0 ? total + 1 : total;
        bool added = false;
        foreach (var key in e.Values.Keys)
            if (!names.Contains(key)) { names.Add(key); added = true; }
        if (added || roles is null) roles = ColumnRoles.Resolve(names, new RoleHints { RowsAreEpochs = false });
        double? Role(string role)
        {
            if (!roles.Roles.TryGetValue(role, out var r) || !e.Values.TryGetValue(names[r.Column],
                out var v)) return null;
            if (AccuracyRoles.Contains(role))
            {
                if (v > 1.0 && double.IsFinite(v)) percent.Add(role);
                if (percent.Contains(role)) v *= 0.01;
                if (r.Mapping.Complement) v = 1 - v;
            }
            return v;
        }
        return new LogEpoch
        {
            Epoch = e.Epoch, TrainLoss = Role("train_loss"), TrainAccuracy = Role("train_acc"),
            ValLoss = Role("val_loss"),
            ValAccuracy = Role("val_acc"), ValTop5 = Role("val_top5"), LearningRate = Role("lr"),
            EpochSeconds = Role("epoch_time"),
        };
    }
}
