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

    /// <summary>Adds an event to the run's records (events.jsonl, when the run has a folder).</summary>
    public void Record(TrainingEvent e)
    {
        foreach (var listener in listeners) listener(e);
    }

    /// <summary>Where <see cref="Record"/> sends its events: the run's recorder listens.</summary>
    public void OnRecord(Action<TrainingEvent> listener) => listeners.Add(listener);
}

/// <summary>Something a callback wants in the run's records, at an epoch: a kind (finding, warning...) and what happened.</summary>
public sealed record TrainingEvent(int Epoch, string Kind, string? Message, string? Key = null, string? From = null, string? To = null);

/// <summary>
/// An epoch part-way through: batches done and the sums its metrics are made of. With the data order, the
/// augmentation and the schedules functions of (seed, epoch, batch), this is all a resume needs to continue the
/// epoch exactly. <see cref="AtOptimizerStep"/> is false between the batches of an accumulated step.
/// </summary>
public sealed record EpochProgress(int Epoch, int Batch, double LossSum, long Correct, long Seen, int Mixed, double FirstLr, bool AtOptimizerStep);

/// <summary>What one training batch did, for live displays.</summary>
public sealed record BatchResult(int Epoch, int Batch, int BatchCount, double Loss, double Accuracy, double LearningRate, double ImagesPerSecond);

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
/// Extension points of the training loop, as in Lightning and fastai: everything that is not the optimization
/// itself (records, checkpoints, displays, early stopping) is a callback.
/// </summary>
public abstract class TrainingCallback
{
    public virtual void OnTrainStart(TrainingContext context) { }
    public virtual void OnEpochStart(TrainingContext context, EpochSettings settings, IReadOnlyList<ScheduleChange> changes) { }
    public virtual void OnBatchEnd(TrainingContext context, BatchResult batch) { }
    /// <summary>
    /// After an epoch's records: a callback may add events (<see cref="TrainingContext.Record"/>) and ask the run to
    /// stop (<see cref="TrainingContext.Stop"/>); the epoch's checkpoint is already saved.
    /// </summary>
    public virtual void OnEpochEnd(TrainingContext context, EpochResult result) { }
    /// <summary>Called when the loop stopped on a <see cref="StopRequest"/>, before <see cref="OnTrainEnd"/>.</summary>
    public virtual void OnInterrupted(TrainingContext context, Interruption interruption) { }
    /// <summary>Called once when training ends, normally or not; <paramref name="error"/> is set when it failed.</summary>
    public virtual void OnTrainEnd(TrainingContext context, Exception? error) { }
}
