using Regimen.Analysis;
using Regimen.Runs;

namespace Regimen.Sessions.Watch;

/// <summary>How regimen watch (and train's live analysis) judges a run and what it does about a finding.</summary>
public sealed record WatchOptions
{
    public AnalysisOptions Analysis { get; init; } = new();
    /// <summary>warning or critical: a finding at least this severe stops the training; null: never.</summary>
    public string? StopOn { get; init; }
    /// <summary>A shell command run for each announcement, the finding as JSON on its standard input.</summary>
    public string? OnFinding { get; init; }
    /// <summary>The terminal bell (and a desktop notification where the terminal supports one) per warning or critical
    /// finding.</summary>
    public bool Notify { get; init; }
    /// <summary>No new epoch within this multiple of the median epoch time: stalled.</summary>
    public double StallFactor { get; init; } = 3;
    /// <summary>After SIGINT, how long a stopped command has before SIGTERM (and as long again before
    /// SIGKILL).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How often a followed log is looked at.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Following a log: stop once it has not changed for this long (null: until Ctrl-C or the run's
    /// end).</summary>
    public TimeSpan? UntilIdle { get; init; }

    /// <summary>Epochs a log may show before a --monitor series it lacks is an error (validation may start
    /// later).</summary>
    public const int MonitorGraceEpochs = 3;

    /// <summary>
    /// Null while --monitor's series may still come (or the log has it), else the message naming it and the series the
    /// log has; <paramref name="ended"/>: the log will not grow; <paramref name="what"/>: what it is (default: its
    /// source, the file).
    /// </summary>
    public string? MissingMonitor(TrainingLog log, bool ended, string? what = null)
    {
        if (Analysis.Monitor is not { } name || MonitoredSeries.Has(log, name)) return null;
        if (log.Epochs.Count == 0 || (log.Epochs.Count < MonitorGraceEpochs && !ended)) return null;
        return $"--monitor {name}: {what ?? log.Source} has no such series in its {log.Epochs.Count} epoch(s)" +
               MonitoredSeries.Hint(name, [log]);
    }

    public static string? CheckSeverity(string? stopOn) =>
        stopOn is null or "warning" or "critical" ? null : $"--stop-on: must be warning or critical, got '{stopOn}'";
}
