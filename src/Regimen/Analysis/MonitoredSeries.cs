using Regimen.Runs;
using Regimen.Runs.Readers;

namespace Regimen.Analysis;

/// <summary>
/// A --monitor name checked against the logs it is to judge (analyze, compare): any series a log has, a role such
/// as val_acc or a column it kept by its own name (eval_macro_f1); its direction comes from the name
/// (<see cref="Training.Monitor.Named"/>). A name no log has gets a did-you-mean, or the list of what they have.
/// </summary>
public static class MonitoredSeries
{
    public static bool Has(TrainingLog log, string name) => log.MetricSeries(name) is { Count: > 0 };

    /// <summary>" (did you mean 'val_acc'?)" for a near miss, else " (they have: ...)", the series they have.</summary>
    public static string Hint(string name, IReadOnlyList<TrainingLog> logs)
    {
        var known = ColumnRoles.Roles.Skip(2).Concat(logs.SelectMany(l => l.OtherSeries.Keys)).Distinct().ToList();
        var present = known.Where(k => logs.Any(l => Has(l, k))).ToList();
        // Only a series they have is a suggestion: a role they lack (val_top5) is not "meant".
        return ColumnRoles.Closest(name, present.Where(p => p != name)) is { } hint ? $" (did you mean '{hint}'?)"
            : $" ({(logs.Count == 1 ? "it has" : "they have")}: {string.Join(", ", present)})";
    }

    /// <summary>Null when every log has the series, else the error naming the logs without it.</summary>
    public static string? MissingFromSome(string name, IReadOnlyList<TrainingLog> logs)
    {
        var lacking = logs.Where(l => !Has(l, name)).ToList();
        if (lacking.Count == 0) return null;
        string who = string.Join(", ", lacking.Select(l => l.Source == l.Name ? l.Name : $"{l.Name} ({l.Source})"));
        return $"--monitor {name}: {who} {(lacking.Count == 1 ? "has" : "have")} no such series" + Hint(name, logs);
    }
}
