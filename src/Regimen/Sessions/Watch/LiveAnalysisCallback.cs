using Regimen.Analysis.Live;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Runs.Readers;
using Regimen.Training;

namespace Regimen.Sessions.Watch;

/// <summary>
/// Regimen's own training judged as it runs, by the same live analysis as regimen watch: each announcement goes
/// to the display and to events.jsonl (a <c>finding</c> event), and at --stop-on's severity the training stops
/// through its own stop path (last.ckpt kept, a <c>stopped</c> event, resumable with --resume). The epochs are the
/// ones metrics.csv holds, so the findings are those <c>regimen analyze</c> gives on the run folder.
/// </summary>
public sealed class LiveAnalysisCallback : TrainingCallback
{
    readonly WatchOptions options;
    readonly IWatchView view;
    readonly FindingAlerts? alerts;
    WatchSession? session;
    TrainingContext? context;

    public LiveAnalysisCallback(WatchOptions options, IWatchView view, FindingAlerts? alerts = null)
    {
        this.options = options;
        this.view = view;
        this.alerts = alerts;
    }

    /// <summary>The end of the training judged whole (after it ended).</summary>
    public LiveSummary? Summary { get; private set; }

    public IReadOnlyList<Announcement> Announced => session?.Announced ?? Array.Empty<Announcement>();

    public override void OnTrainStart(TrainingContext context)
    {
        this.context = context;
        var recipe = context.Setup.Recipe;
        var header = new TrainingLog
        {
            Name = recipe.Name, Source = "training", Format = "regimen", PlannedEpochs = recipe.Epochs,
            Hyperparameters = LogReader.FlattenYaml(RecipeLoader.ToYaml(recipe), "recipe"),
            // The noise model judges accuracies against these sizes, as analyze does from summary.json.
            ValidationSize = context.Setup.Validation.Count, TrainSize = context.Setup.Train.Count,
            Classes = context.Setup.Train.ClassCount,
        };
        session = new WatchSession(header, options, view, Record, alerts);
        // A resumed run: the epochs it has were judged (and announced) before; they are known, not news.
        var known = new List<(LogEvent?, LogEpoch)>();
        foreach (var r in context.History)
        {
            foreach (var change in context.Setup.Plan.ChangesAt(r.Epoch)) session.AddEvent(Event(change));
            known.Add((null, Epoch(r)));
        }
        if (known.Count > 0) session.Prime(known.Select(k => k.Item2));
    }

    public override void OnEpochStart(TrainingContext context, EpochSettings settings,
        IReadOnlyList<ScheduleChange> changes)
    {
        foreach (var change in changes) session?.AddEvent(Event(change));
    }

    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        if (session is null) return;
        session.AddEpoch(Epoch(result));
        if (session.StopReason is { } reason) context.Stop.Request(reason);
    }

    public override void OnTrainEnd(TrainingContext context, Exception? error)
    {
        if (session is not null && session.Log.Epochs.Count > 0) Summary = session.Finish();
    }

    void Record(RunEvent e) =>
        context?.Record(new TrainingEvent(e.Epoch, e.Kind, e.Message, e.Key, e.From, e.To, e.Evidence));

    static LogEvent Event(ScheduleChange c) => new(c.Epoch, "schedule", c.Key, c.From, c.To, null);

    /// <summary>An epoch as the analyst reads it back from metrics.csv (an empty cell, NaN here, is no
    /// value).</summary>
    static LogEpoch Epoch(EpochResult r)
    {
        static double? N(double v) => double.IsNaN(v) ? null : v;
        return new LogEpoch
        {
            Epoch = r.Epoch, TrainLoss = N(r.TrainLoss), TrainAccuracy = N(r.TrainAccuracy), ValLoss = N(r.ValLoss),
            ValAccuracy = N(r.ValAccuracy), ValTop5 = r.ValTop5, LearningRate = N(r.LearningRate),
            Resolution = r.Resolution, Phase = r.Phase,
        };
    }
}
