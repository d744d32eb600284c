using Regimen.Runs;

namespace Regimen.Analysis.Live;

/// <summary>
/// The analyst brought up to date at every epoch of a run that is still going, at a cost that does not grow with
/// the run's length: each epoch is judged on a bounded view of the log (<see cref="BoundedLogView"/>), and a
/// finding is announced once, when it first becomes true, and again only when its severity rises
/// (<see cref="FindingTracker"/>). <see cref="Finish"/> judges the whole log once, as <c>regimen analyze</c> does.
/// </summary>
public sealed class LiveAnalyst
{
    /// <summary>Kinds that speak of a run's end (the registry's JudgedAtEnd: it stopped early, it ended still
    /// improving, its best fell short of a target): true of almost every run still going, so judged by <see
    /// cref="Finish"/> only.</summary>
    public static readonly IReadOnlySet<string> EndOfRunKinds = Findings.FindingRegistry.All.Where(k => k.JudgedAtEnd)
        .Select(k => k.Name).ToHashSet();

    readonly AnalysisOptions options;
    readonly BoundedLogView view;
    readonly FindingTracker tracker = new();
    readonly HashSet<string> ownKinds = new();
    // The run's first accuracies (those the whole-log inference of the validation size reads), and what they gave.
    readonly List<double> accuracies = new();
    readonly HashSet<double> seen = new();
    InferredSize? inferred;

    /// <summary>How many times the validation size was inferred: once per new value among the run's first
    /// <see cref="NoiseModel.InferenceValues"/> distinct accuracies, not once per epoch (each inference scans up
    /// to 10^6 candidate sizes).</summary>
    internal int Inferences { get; private set; }

    public LiveAnalyst(TrainingLog header, AnalysisOptions? options = null, int window = BoundedLogView.DefaultWindow)
    {
        this.options = options ?? new AnalysisOptions();
        view = new BoundedLogView(header, window);
        foreach (var e in view.Log.Epochs) Track(e);
    }

    /// <summary>Every epoch and event so far: what the run folder records and what <see cref="Finish"/>
    /// judges.</summary>
    public TrainingLog Log => view.Log;

    public IReadOnlyList<Announcement> Announced => tracker.Announced;

    /// <summary>Events (schedule changes) that take effect at an epoch not yet added.</summary>
    public void AddEvent(LogEvent e) => view.AddEvent(e);

    /// <summary>Adds an epoch (with its values of series kept by their own names) and judges the run so far: the
    /// findings that became true or more severe with it.</summary>
    public IReadOnlyList<Announcement> AddEpoch(LogEpoch epoch,
        IReadOnlyList<(string Name, double Value)>? otherSeries = null)
    {
        foreach (var (name, value) in otherSeries ?? []) view.AddSeriesPoint(name, epoch.Epoch, value);
        Add(epoch);
        var analysis = Analyst.AnalyzeRunning(view.Current(), Options());
        return tracker.Update(epoch.Epoch, analysis.Findings.Where(f => !EndOfRunKinds.Contains(f.Kind)));
    }

    /// <summary>Epochs judged before (a resumed run's): added, and what they show counted as announced
    /// already.</summary>
    public void Prime(IEnumerable<LogEpoch> epochs)
    {
        foreach (var e in epochs) Add(e);
        if (view.Log.Epochs.Count == 0) return;
        var analysis = Analyst.AnalyzeRunning(view.Current(), Options());
        tracker.Update(view.Log.Epochs[^1].Epoch, analysis.Findings.Where(f => !EndOfRunKinds.Contains(f.Kind)));
    }

    void Add(LogEpoch epoch)
    {
        view.AddEpoch(epoch);
        Track(epoch);
    }

    void Track(LogEpoch epoch)
    {
        // The values NoiseModel.InferValidationSize reads of the whole log.
        if (accuracies.Count < NoiseModel.InferenceValues && epoch.ValAccuracy is { } v &&
            NoiseModel.IsInferenceValue(v) && seen.Add(v))
        {
            accuracies.Add(v);
            inferred = null;
        }
    }

    /// <summary>
    /// The options with the validation size the whole run's accuracies give, inferred again only when they changed:
    /// the bounded view of a long run sees a part of them, which would give another size at every epoch (and cost a
    /// millisecond each); a run of up to a window of epochs is its own view, so nothing changes there.
    /// </summary>
    AnalysisOptions Options()
    {
        if (options.ValidationSize is not null || view.Log.ValidationSize is not null) return options;
        if (inferred is null)
        {
            inferred = new InferredSize(NoiseModel.InferValidationSize(accuracies));
            Inferences++;
        }
        return options with { InferredValidationSize = inferred };
    }

    /// <summary>Adds a finding the analyst cannot make from the log (a stall, a crash), announced by the same
    /// rules.</summary>
    public IReadOnlyList<Announcement> AddFinding(int epoch, Finding finding)
    {
        ownKinds.Add(FindingTracker.Key(finding));
        return tracker.Update(epoch, new[] { finding });
    }

    /// <summary>
    /// The whole log judged once, as <c>regimen analyze</c> judges it, with the epoch each finding was first
    /// announced, the findings of the run's end, and those announced live that no longer hold.
    /// </summary>
    public LiveSummary Finish()
    {
        var analysis = Analyst.Analyze(view.Log, options);
        int last = view.Log.Epochs.Count > 0 ? view.Log.Epochs[^1].Epoch : 0;
        var final = analysis.Findings.Select(f => new SummaryLine(f, tracker.FirstAnnounced(f) ?? last,
            tracker.FirstAnnounced(f) is null)
        {
            Announced = tracker.LatestOf(f),
        }).ToList();
        var keys = analysis.Findings.Select(FindingTracker.Key).ToHashSet();
        var own = tracker.Latest.Where(a => ownKinds.Contains(FindingTracker.Key(a.Finding))).ToList();
        var gone = tracker.Latest.Where(a => !ownKinds.Contains(FindingTracker.Key(a.Finding))
            && !keys.Contains(FindingTracker.Key(a.Finding))).ToList();
        return new LiveSummary(analysis, final, own, gone);
    }
}

/// <summary>A finding at the epoch it was announced; <see cref="PreviousSeverity"/> is set when its severity
/// rose.</summary>
public sealed record Announcement(int Epoch, Finding Finding, string? PreviousSeverity);

/// <summary>A finding of the final analysis with the epoch it was first announced (or, <see cref="AtEnd"/>, the last
/// epoch), and its latest announcement (where its severity last rose).</summary>
public sealed record SummaryLine(Finding Finding, int Epoch, bool AtEnd)
{
    public Announcement? Announced { get; init; }
}

/// <summary>
/// The end of a watched run: the final analysis (equal to <c>regimen analyze</c> on the recorded log), each of its
/// findings with its epoch, what the watcher itself found (stalls, a crash), and findings that no longer hold.
/// </summary>
public sealed record LiveSummary(RunAnalysis Analysis, IReadOnlyList<SummaryLine> Findings,
    IReadOnlyList<Announcement> Watch,
    IReadOnlyList<Announcement> NoLongerTrue);
