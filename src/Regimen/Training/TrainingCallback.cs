using Regimen.Models;

namespace Regimen.Training;

/// <summary>The training loop's state as callbacks see it.</summary>
public sealed class TrainingContext
{
    readonly List<Action<TrainingEvent>> listeners = new();

    public TrainingContext(TrainingSetup setup, int startEpoch, StopRequest? stop = null)
    {
        Setup = setup;
        StartEpoch = startEpoch;
        Epoch = Math.Min(startEpoch, Math.Max(0, setup.Recipe.Epochs - 1));
        Stop = stop ?? new StopRequest();
    }

    public TrainingSetup Setup { get; }
    public int StartEpoch { get; }
    public int Epoch { get; internal set; }
    /// <summary>Set by a callback (early stopping, a time limit) to end training after the current epoch.</summary>
    public string? StopReason { get; set; }
    /// <summary>
    /// A graceful stop from outside the schedule (Ctrl-C, a watcher's --stop-on, any callback): the loop stops after
    /// the current batch with a recovery checkpoint, and the run can be resumed exactly.
    /// </summary>
    public StopRequest Stop { get; }
    /// <summary>Set when the loop stopped on <see cref="Stop"/>: where, and why.</summary>
    public Interruption? Interruption { get; internal set; }
    public List<EpochResult> History { get; } = new();
    /// <summary>Where the current epoch stands after its latest batch: what a recovery checkpoint saves.</summary>
    public EpochProgress? Progress { get; internal set; }
    /// <summary>Set by a resume from a recovery checkpoint: the epoch it was in, continued at its batch.</summary>
    public EpochProgress? ResumeProgress { get; set; }

    /// <summary>
    /// The resume's progress when it is within <paramref name="epoch"/>, once: later epochs start at batch 0.
    /// </summary>
    internal EpochProgress? TakeResumeProgress(int epoch)
    {
        var progress = ResumeProgress is { } p && p.Epoch == epoch ? p : null;
        ResumeProgress = null;
        return progress;
    }

    /// <summary>Adds an event to the run's records (events.jsonl, when the run has a folder).</summary>
    public void Record(TrainingEvent e)
    {
        foreach (var listener in listeners) listener(e);
    }

    /// <summary>Where <see cref="Record"/> sends its events: the run's recorder listens.</summary>
    public void OnRecord(Action<TrainingEvent> listener) => listeners.Add(listener);
}

/// <summary>
/// Something a callback wants in the run's records, at an epoch: a kind (finding, warning...) and what happened;
/// <paramref name="Evidence"/>: the numbers it rests on (a finding's).
/// </summary>
public sealed record TrainingEvent(int Epoch, string Kind, string? Message, string? Key = null, string? From = null,
    string? To = null, IReadOnlyDictionary<string, double>? Evidence = null);

/// <summary>What one training batch did, for live displays.</summary>
public sealed record BatchResult(int Epoch, int Batch, int BatchCount, double Loss, double Accuracy,
    double LearningRate, double ImagesPerSecond);

/// <summary>One row of metrics.csv: what an epoch did and how the model scored after it.</summary>
public sealed record EpochResult
{
    public int Epoch { get; init; }
    public string Phase { get; init; } = "";
    public double LearningRate { get; init; }
    public int Resolution { get; init; }
    public double TrainLoss { get; init; }
    public double TrainAccuracy { get; init; }
    public double ValLoss { get; init; }
    public double ValAccuracy { get; init; }
    /// <summary>Top-5 accuracy, where there are more than 5 classes.</summary>
    public double? ValTop5 { get; init; }
    /// <summary>Accuracy with horizontal-flip TTA, when the recipe asks for it.</summary>
    public double? ValAccuracyTta { get; init; }
    /// <summary>The EMA model's validation loss and accuracy, when the recipe keeps an EMA.</summary>
    public double? ValLossEma { get; init; }
    public double? ValAccuracyEma { get; init; }
    /// <summary>The fraction of the epoch's batches that were mixed (MixUp or CutMix).</summary>
    public double MixedFraction { get; init; }
    public double EpochSeconds { get; init; }
    public double ImagesPerSecond { get; init; }
    /// <summary>The fraction of the epoch's training time spent preparing batches rather than in the model.</summary>
    public double LoaderWaitFraction { get; init; }
}

/// <summary>
/// The training loop's hooks, as fastai's callbacks: every technique that is not the optimization itself is one
/// (MixUp, bf16, accumulation, clipping, divergence checks, EMA, freezing, TTA; records, checkpoints, displays,
/// early stopping). A hook can act: change the batch, the forward pass or the targets (<see cref="BeforeBatch"/>),
/// replace the loss (<see cref="AfterLoss"/>, <see cref="BeforeBackward"/>), skip the optimizer step
/// (<see cref="BeforeStep"/>), add evaluations (<see cref="AfterEvaluate"/>), record events and stop the run.
/// Per batch the loop calls, in order: BeforeBatch, forward, loss, AfterLoss, BeforeBackward, backward,
/// AfterBackward, BeforeStep, step (unless skipped), AfterStep, OnBatchEnd. Hooks run in list order: the recipe's
/// techniques (<see cref="Techniques.For"/>) first, then the caller's. docs/architecture.md shows how to write one.
/// </summary>
public abstract class TrainingCallback
{
    public virtual void OnTrainStart(TrainingContext context) { }
    /// <summary>
    /// Before an epoch's first batch: the epoch's scheduled values are applied and the models are in train mode.
    /// </summary>
    public virtual void OnEpochStart(TrainingContext context, EpochSettings settings,
        IReadOnlyList<ScheduleChange> changes)
    { }
    /// <summary>
    /// Before the forward pass: may replace <see cref="TrainingStep.Input"/>, <see cref="TrainingStep.SoftTarget"/> or
    /// <see cref="TrainingStep.Forward"/>.
    /// </summary>
    public virtual void BeforeBatch(TrainingContext context, TrainingStep step) { }
    /// <summary>
    /// After the loss is computed: may replace <see cref="TrainingStep.Loss"/> (what the metrics record and backward
    /// uses).
    /// </summary>
    public virtual void AfterLoss(TrainingContext context, TrainingStep step) { }
    /// <summary>
    /// With <see cref="TrainingStep.LossValue"/> known: may check it, or replace the loss backward uses (not what is
    /// recorded).
    /// </summary>
    public virtual void BeforeBackward(TrainingContext context, TrainingStep step) { }
    public virtual void AfterBackward(TrainingContext context, TrainingStep step) { }
    /// <summary>
    /// Before the optimizer step: may clip or check the gradients, or set <see cref="TrainingStep.SkipStep"/> (no step,
    /// gradients kept for the next batch; later hooks' BeforeStep and every AfterStep are not called).
    /// </summary>
    public virtual void BeforeStep(TrainingContext context, TrainingStep step) { }
    /// <summary>After the optimizer stepped and the gradients were zeroed.</summary>
    public virtual void AfterStep(TrainingContext context, TrainingStep step) { }
    public virtual void OnBatchEnd(TrainingContext context, BatchResult batch) { }
    /// <summary>After the epoch's validation: may add evaluations to the epoch's record (TTA, EMA).</summary>
    public virtual EpochResult AfterEvaluate(TrainingContext context, EpochResult result) => result;
    /// <summary>
    /// After an epoch's records: a callback may add events (<see cref="TrainingContext.Record"/>) and ask the run to
    /// stop (<see cref="TrainingContext.Stop"/>); the epoch's checkpoint is already saved.
    /// </summary>
    public virtual void OnEpochEnd(TrainingContext context, EpochResult result) { }
    /// <summary>Called when the loop stopped on a <see cref="StopRequest"/>, before <see cref="OnTrainEnd"/>.</summary>
    public virtual void OnInterrupted(TrainingContext context, Interruption interruption) { }
    /// <summary>
    /// Called once when training ends, normally or not; <paramref name="error"/> is set when it failed.
    /// </summary>
    public virtual void OnTrainEnd(TrainingContext context, Exception? error) { }
}
