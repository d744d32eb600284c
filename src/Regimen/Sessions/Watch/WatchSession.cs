using System.Globalization;
using Regimen.Analysis;
using Regimen.Analysis.Findings;
using Regimen.Analysis.Live;
using Regimen.Runs;

namespace Regimen.Sessions.Watch;

/// <summary>
/// One watched run, whatever feeds it (a followed log, a wrapped command's output, Regimen's own training): each
/// epoch goes to the live analyst, and each announcement to the display, the run's records (a <c>finding</c>
/// event), the user's alerts and, at --stop-on's severity, a stop request. Stalls are the session's own finding.
/// </summary>
public sealed class WatchSession
{
    const int TimedEpochs = 101;

    readonly WatchOptions options;
    readonly IWatchView view;
    readonly Action<RunEvent>? record;
    readonly Action<LogEpoch, double?>? recordEpoch;
    readonly FindingAlerts? alerts;
    readonly Queue<double> epochSeconds = new();
    LiveAnalyst analyst;
    DateTime? lastEpochAt;
    bool stallAnnounced;

    // record: Where finding events go (the run's events.jsonl); null: nowhere.
    // recordEpoch: Where each epoch goes with its measured time, before it is judged (a recorded run's metrics.csv).
    public WatchSession(TrainingLog header, WatchOptions options, IWatchView view, Action<RunEvent>? record,
        FindingAlerts? alerts,
        Action<LogEpoch, double?>? recordEpoch = null)
    {
        this.recordEpoch = recordEpoch;
        this.options = options;
        this.view = view;
        this.record = record;
        this.alerts = alerts;
        analyst = new LiveAnalyst(header, options.Analysis);
    }

    public TrainingLog Log => analyst.Log;
    public string? StopReason { get; private set; }
    public IReadOnlyList<Announcement> Announced => analyst.Announced;
    /// <summary>The epoch time of the epoch just added, as watch measured it (null for the first).</summary>
    public double? LastEpochSeconds { get; private set; }

    /// <summary>The log started over (a truncated file, a restarted counter): judged anew from its first
    /// epoch.</summary>
    public void Restart(TrainingLog header, string why)
    {
        analyst = new LiveAnalyst(header, options.Analysis);
        epochSeconds.Clear();
        lastEpochAt = null;
        stallAnnounced = false;
        view.Note(why);
    }

    /// <summary>What the log says of the run beyond its epochs, once known (format, planned epochs,
    /// hyperparameters).</summary>
    public void Describe(TrainingLog header)
    {
        if (analyst.Log.Epochs.Count == 0
            && analyst.Log.Events.Count == 0) analyst = new LiveAnalyst(header with
            {
                Epochs = new(),
                Events = new()
            }, options.Analysis);
    }

    public void AddEvent(LogEvent e) => analyst.AddEvent(e);

    /// <summary>Epochs announced before (a resumed run's): known, not news.</summary>
    public void Prime(IEnumerable<LogEpoch> epochs) => analyst.Prime(epochs);

    public IReadOnlyList<Announcement> AddEpoch(LogEpoch epoch, DateTime? now = null,
        IReadOnlyList<(string Name, double Value)>? otherSeries = null)
    {
        var at = now ?? DateTime.UtcNow;
        LastEpochSeconds = lastEpochAt is { } previous ? (at - previous).TotalSeconds : null;
        // Epochs read together (a log that already had them) say nothing of the epoch time.
        if (LastEpochSeconds is { } s && s > 0.01)
        {
            epochSeconds.Enqueue(s);
            if (epochSeconds.Count > TimedEpochs) epochSeconds.Dequeue();
        }
        lastEpochAt = at;
        stallAnnounced = false;
        recordEpoch?.Invoke(epoch, LastEpochSeconds);
        var news = analyst.AddEpoch(epoch, otherSeries);
        view.Epoch(analyst.Log, epoch);
        foreach (var a in news) Announce(a);
        return news;
    }

    /// <summary>Median of the last epochs' times as watch measured them; null before three of them.</summary>
    public double? MedianEpochSeconds
    {
        get
        {
            if (epochSeconds.Count < 3) return null;
            var sorted = epochSeconds.OrderBy(x => x).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1]
                + sorted[sorted.Length / 2]) / 2;
        }
    }

    /// <summary>No new epoch within StallFactor times the median epoch time: a <c>stalled</c> finding, once per
    /// stall.</summary>
    public void CheckStall(DateTime now)
    {
        if (stallAnnounced || lastEpochAt is not { } last || MedianEpochSeconds is not { } median) return;
        double waited = (now - last).TotalSeconds, limit = options.StallFactor * Math.Max(median, 0.05);
        if (waited <= limit) return;
        stallAnnounced = true;
        int epoch = analyst.Log.Epochs.Count > 0 ? analyst.Log.Epochs[^1].Epoch : 0;
        Own(epoch, new Finding
        {
            Kind = Stalled.Id, Severity = Severity.Warning, Run = analyst.Log.Name, FirstEpoch = epoch,
            LastEpoch = epoch,
            Summary = string.Create(CultureInfo.InvariantCulture,
                $"No new epoch for {waited:0.#} s after epoch {epoch}, over {options.StallFactor:0.#} times the " +
                $"median epoch time ({median:0.##} s): the training may hang (data loading, a deadlock, a full disk)."),
            Evidence = new()
            {
                ["seconds_since_epoch"] = waited, ["median_epoch_seconds"] = median,
                ["stall_factor"] = options.StallFactor
            },
            Confidence = 0.7,
        });
    }

    /// <summary>The command exited with a non-zero code: a <c>crashed</c> finding with the last lines of its
    /// output.</summary>
    public void Crashed(int exitCode, IReadOnlyList<string> lastLines)
    {
        int epoch = analyst.Log.Epochs.Count > 0 ? analyst.Log.Epochs[^1].Epoch : 0;
        Own(epoch, new Finding
        {
            Kind = Analysis.Findings.Crashed.Id, Severity = Severity.Critical, Run = analyst.Log.Name,
            FirstEpoch = epoch, LastEpoch = epoch,
            Summary = $"The command exited with code {exitCode} after {analyst.Log.Epochs.Count} epochs" +
                      (lastLines.Count > 0 ? $"; its last lines: {string.Join(" / ", lastLines)}" : "."),
            Evidence = new() { ["exit_code"] = exitCode, ["epochs"] = analyst.Log.Epochs.Count },
            Confidence = 1,
        });
    }

    void Own(int epoch, Finding f)
    {
        foreach (var a in analyst.AddFinding(epoch, f)) Announce(a);
    }

    void Announce(Announcement a, bool stop = true)
    {
        view.Announce(a);
        var evidence = new Dictionary<string, double>(a.Finding.Evidence);
        if (a.Finding.FirstEpoch is { } first) evidence["first_epoch"] = first;
        record?.Invoke(new RunEvent
        {
            Epoch = a.Epoch, Kind = "finding", Key = a.Finding.Kind,
            From = a.PreviousSeverity, To = a.Finding.Severity, Message = a.Finding.Summary, Evidence = evidence
        });
        alerts?.Raise(a, analyst.Log.Name);
        if (stop && StopReason is null && options.StopOn is { } level && FindingTracker.AtLeast(a.Finding.Severity,
            level))
            StopReason = $"{a.Finding.Severity} {a.Finding.Kind} at epoch {a.Epoch} " +
                Training.Interruption.StopOnReason(level);
    }

    /// <summary>The end: the whole log judged once; the findings of the run's end recorded as events too.</summary>
    public LiveSummary Finish()
    {
        var summary = analyst.Finish();
        foreach (var line in summary.Findings.Where(l => l.AtEnd))
            Announce(new Announcement(line.Epoch, line.Finding, null), stop: false);
        alerts?.Drain();
        return summary;
    }

    static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
