using Regimen.Analysis.Live;
using Regimen.Runs;
using Regimen.Runs.Follow;

namespace Regimen.Sessions.Watch;

/// <summary>
/// <c>regimen watch PATH</c>: follows a log file or run folder as it grows and judges each new epoch, until the run
/// says it ended (a Regimen run folder), the log stays unchanged for <see cref="WatchOptions.UntilIdle"/>, or Ctrl-C.
/// </summary>
public static class FollowWatch
{
    public sealed record Result(LiveSummary? Summary, string Status);

    public static Result Run(string path, WatchOptions options, IWatchView view, FindingAlerts? alerts,
        CancellationToken cancel)
    {
        using var follower = new LogFollower(path);
        WatchSession? session = null;
        int epochsFed = 0, eventsFed = 0, monitorCursor = 0;
        var changed = DateTime.UtcNow;
        string status = "interrupted";
        while (!cancel.IsCancellationRequested)
        {
            var update = follower.Poll();
            if (update is not null)
            {
                // Every epoch of one read arrived at once: together they say nothing of the epoch time, and a
                // file that already had them is no run to call stalled.
                changed = DateTime.UtcNow;
                if (update.Note is not null) view.Note(update.Note);
                if (update.Log is { } log)
                {
                    if (options.MissingMonitor(log, update.Finished) is { } missing)
                        throw new RegimenException(missing);
                    var header = log with { Epochs = new(), Events = new(), OtherSeries = new() };
                    bool restart = update.Restarted || log.Epochs.Count < epochsFed
                                   || (epochsFed > 0 && session is not null
                                       && log.Epochs[epochsFed - 1] != session.Log.Epochs[^1]);
                    if (session is null) session = new WatchSession(header, options, view, record: null, alerts);
                    else if (restart)
                    {
                        session.Restart(header, update.Restarted ? "the log started over: judging it anew"
                            : $"{log.Source}: earlier epochs changed (a restarted run): judging it anew");
                        epochsFed = eventsFed = monitorCursor = 0;
                    }
                    if (epochsFed == 0) session.Describe(header);
                    for (; epochsFed < log.Epochs.Count; epochsFed++)
                    {
                        var epoch = log.Epochs[epochsFed];
                        for (; eventsFed < log.Events.Count
                            && log.Events[eventsFed].Epoch <= epoch.Epoch; eventsFed++) session.AddEvent(
                                log.Events[eventsFed]);
                        session.AddEpoch(epoch, changed, MonitoredAt(log, options.Analysis.Monitor, epoch.Epoch,
                            ref monitorCursor));
                    }
                    for (; eventsFed < log.Events.Count; eventsFed++) session.AddEvent(log.Events[eventsFed]);
                }
                if (update.Finished) { status = "completed"; break; }
            }
            session?.CheckStall(DateTime.UtcNow);
            if (options.UntilIdle is { } idle && DateTime.UtcNow - changed > idle) { status = "idle"; break; }
            cancel.WaitHandle.WaitOne(options.PollInterval);
        }
        if (session is not null && options.MissingMonitor(session.Log, ended: true) is { } lacking)
            throw new RegimenException(lacking);
        return new Result(session?.Finish(), status);
    }

    /// <summary>
    /// The value at an epoch of --monitor's series when the log keeps it by its own name (eval_macro_f1), not as a
    /// role every epoch record has; <paramref name="cursor"/> walks its points in epoch order.
    /// </summary>
    static List<(string Name, double Value)>? MonitoredAt(TrainingLog log, string? monitor, int epoch, ref int cursor)
    {
        if (monitor is null || TrainingLog.RoleSelector(monitor) is not null) return null;
        var series = log.OtherSeries.FirstOrDefault(kv => string.Equals(kv.Key, monitor,
            StringComparison.OrdinalIgnoreCase));
        if (series.Value is not { } points) return null;
        while (cursor < points.Count && points[cursor].Epoch < epoch) cursor++;
        return cursor < points.Count && points[cursor].Epoch == epoch ? [(series.Key, points[cursor].Value)] : null;
    }
}
