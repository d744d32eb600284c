using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// One kind of finding: how it is detected in a run (and across an experiment's folds), how severe it is, the
/// evidence it carries, the recommendations that answer it and its line in docs/analysis.md. A new kind is a
/// subclass and one line in <see cref="FindingRegistry"/> (docs/architecture.md walks through it).
/// </summary>
internal abstract class FindingKind
{
    /// <summary>The stable name (JSON, ledger, docs).</summary>
    public abstract string Name { get; }
    /// <summary>When it is reported: the "when" column of docs/analysis.md's table, generated from here.</summary>
    public abstract string Documentation { get; }
    /// <summary>Epochs a run needs before this kind is judged; below it the report says "too early to judge".</summary>
    public virtual int MinimumEpochs(AnalysisOptions o) => 1;
    /// <summary>
    /// Whether the kind is judged in single runs (<see cref="Detect"/>); false for experiment-only kinds.
    /// </summary>
    public virtual bool InRuns => true;
    /// <summary>
    /// Whether the kind is also judged across an experiment's folds (<see cref="DetectAcrossFolds"/>).
    /// </summary>
    public virtual bool AcrossFolds => false;
    /// <summary>The recommendations that may answer a finding of this kind, in order.</summary>
    public virtual IReadOnlyList<RecommendationKind> Answers => Array.Empty<RecommendationKind>();
    /// <summary>Only findings of this severity are answered (null: all), e.g. a critical schedule-shift.</summary>
    public virtual string? AnsweredSeverity => null;
    /// <summary>
    /// In an experiment's analysis, whether each fold's findings of this kind are listed too; false where the
    /// finding across folds says it.
    /// </summary>
    public virtual bool ListedPerFold => true;

    /// <summary>
    /// Whether the kind speaks of a run's end (it stopped early, it ended still improving, its best fell short of a
    /// target): true of almost any run still going, so live analysis (regimen watch, train) judges it at the end only.
    /// </summary>
    public virtual bool JudgedAtEnd => false;
    /// <summary>
    /// What the report says instead of a finding when a run is shorter than <see cref="MinimumEpochs"/>.
    /// </summary>
    public string TooEarly(int epochs, AnalysisOptions o, string what = "epochs") =>
        $"too early to judge {Name}: {epochs} {what}, it needs at least {MinimumEpochs(o)}";

    public bool IsAnswered(Finding finding) => AnsweredSeverity is null || finding.Severity == AnsweredSeverity;

    /// <summary>What this kind cannot check in the log whatever its length (a series the format lacks).</summary>
    public virtual IEnumerable<string> Lacks(Runs.TrainingLog log) => Enumerable.Empty<string>();

    /// <summary>The findings of this kind in one run.</summary>
    public virtual IEnumerable<Finding> Detect(RunCheck check) => Enumerable.Empty<Finding>();

    /// <summary>The findings of this kind across an experiment's folds.</summary>
    public virtual IEnumerable<Finding> DetectAcrossFolds(FoldsCheck check) => Enumerable.Empty<Finding>();
}

/// <summary>What a kind's detection sees of one run: the log through its metric, the options, what was found.</summary>
internal sealed class RunCheck(LogView view, AnalysisOptions options, IReadOnlyList<Finding> found,
    List<string> notChecked)
{
    public LogView View { get; } = view;
    public Runs.TrainingLog Log => View.Log;
    /// <summary>A role's series of the log (train_loss, val_loss...), built once per analysis: read it, never change
    /// it.</summary>
    public List<(int Epoch, double Value)> Series(string role) => View.Series(role);
    public AnalysisOptions Options { get; } = options;
    /// <summary>The findings of the kinds registered before this one.</summary>
    public IReadOnlyList<Finding> Found { get; } = found;

    /// <summary>
    /// Says that a check could not run (a series the format lacks, too few epochs) instead of guessing.
    /// </summary>
    public void NotChecked(string what)
    {
        if (!notChecked.Contains(what)) notChecked.Add(what);
    }
}

/// <summary>What a kind's detection sees of an experiment: every fold through the same metric.</summary>
internal sealed class FoldsCheck(IReadOnlyList<LogView> folds, AnalysisOptions options)
{
    public IReadOnlyList<LogView> Folds { get; } = folds;
    public AnalysisOptions Options { get; } = options;
}
