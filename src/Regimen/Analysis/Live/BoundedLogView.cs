using Regimen.Runs;

namespace Regimen.Analysis.Live;

/// <summary>
/// A growing log and a view of it whose size does not grow: the last <see cref="Window"/> epochs, and before them
/// only the epochs the analyst's whole-run checks rest on (the first epoch, the best of each metric, the lowest
/// training loss, the highest learning rate, the first non-finite loss), kept up to date as epochs arrive. On a run
/// of up to <see cref="Window"/> epochs the view is the log itself; beyond, a check that looks at every epoch (the
/// onset of a gap that has stayed open longer than the window, the mean gap of the last third) sees the window.
/// </summary>
public sealed class BoundedLogView
{
    public const int DefaultWindow = 256;

    readonly TrainingLog log;
    int bestValAcc = -1, bestValLoss = -1, lowestTrainLoss = -1, highestLr = -1, firstNonFinite = -1;

    public BoundedLogView(TrainingLog header, int window = DefaultWindow)
    {
        if (window < 16) throw new ArgumentOutOfRangeException(nameof(window), "a window of at least 16 epochs");
        Window = window;
        log = header with { Epochs = new List<LogEpoch>(header.Epochs), Events = new List<LogEvent>(header.Events) };
        for (int i = 0; i < log.Epochs.Count; i++) Track(i);
    }

    public int Window { get; }
    public TrainingLog Log => log;

    public void AddEvent(LogEvent e) => log.Events.Add(e);

    public void AddEpoch(LogEpoch e)
    {
        log.Epochs.Add(e);
        Track(log.Epochs.Count - 1);
    }

    /// <summary>A value of a series the log keeps by its own name (eval_macro_f1), for the epoch added next.</summary>
    public void AddSeriesPoint(string name, int epoch, double value)
    {
        if (!log.OtherSeries.TryGetValue(name, out var points)) log.OtherSeries[name] = points = new();
        points.Add((epoch, value));
    }

    void Track(int i)
    {
        var e = log.Epochs[i];
        Keep(ref bestValAcc, i, x => x.ValAccuracy, higher: true);
        Keep(ref bestValLoss, i, x => x.ValLoss, higher: false);
        Keep(ref lowestTrainLoss, i, x => x.TrainLoss, higher: false);
        Keep(ref highestLr, i, x => x.LearningRate, higher: true);
        if (firstNonFinite < 0 && (e.TrainLoss is { } t && !double.IsFinite(t) || e.ValLoss is { } v
            && !double.IsFinite(v))) firstNonFinite = i;
    }

    /// <summary>The first epoch strictly better than any before: the one the analyst's series minimum or maximum
    /// picks.</summary>
    void Keep(ref int best, int i, Func<LogEpoch, double?> series, bool higher)
    {
        if (series(log.Epochs[i]) is not { } x || !double.IsFinite(x)) return;
        if (best < 0 || (higher ? x > series(log.Epochs[best])!.Value : x < series(log.Epochs[best])!.Value)) best = i;
    }

    /// <summary>The log as the analyst should see it now: itself while short, else the anchors and the
    /// window.</summary>
    public TrainingLog Current()
    {
        int n = log.Epochs.Count;
        if (n <= Window) return log;
        int start = n - Window;
        var anchors = new SortedSet<int> { 0 };
        foreach (var i in new[] { bestValAcc, bestValLoss, lowestTrainLoss, highestLr, firstNonFinite })
            if (i >= 0 && i < start) anchors.Add(i);
        var epochs = new List<LogEpoch>(anchors.Count + Window);
        foreach (var i in anchors) epochs.Add(log.Epochs[i]);
        for (int i = start; i < n; i++) epochs.Add(log.Epochs[i]);
        int windowEpoch = log.Epochs[start].Epoch;
        // Events in the window, and the last schedule change before it (the analyst judges the trend since it).
        int from = log.Events.Count;
        while (from > 0 && log.Events[from - 1].Epoch >= windowEpoch) from--;
        var events = new List<LogEvent>(log.Events.Count - from + 1);
        for (int i = from - 1; i >= 0; i--)
            if (log.Events[i].Kind == "schedule" && log.Events[i].Key != "phase") { events.Add(log.Events[i]); break; }
        for (int i = from; i < log.Events.Count; i++) events.Add(log.Events[i]);
        // Other series (a --monitor by its own name) in the window and at the anchors' epochs.
        var kept = epochs.Select(e => e.Epoch).ToHashSet();
        var other = log.OtherSeries.ToDictionary(kv => kv.Key, kv => kv.Value.Where(p => p.Epoch >= windowEpoch ||
            kept.Contains(p.Epoch)).ToList());
        return log with { Epochs = epochs, Events = events, OtherSeries = other };
    }
}
