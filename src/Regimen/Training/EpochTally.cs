using System.Diagnostics;
using Regimen.Models;

namespace Regimen.Training;

/// <summary>
/// An epoch's running sums and clocks: what a recovery checkpoint saves (<see cref="EpochProgress"/>) and what
/// the epoch's record reports. A resume from a recovery checkpoint starts it with the sums it had.
/// </summary>
sealed class EpochTally
{
    readonly Stopwatch epochClock = Stopwatch.StartNew();
    readonly Stopwatch loaderClock = new();
    readonly long seenBefore;
    double lossSum, firstLr;
    long correct, seen;
    int mixed;

    public EpochTally(int epoch, int batchCount, EpochProgress? resumed)
    {
        Epoch = epoch;
        BatchCount = batchCount;
        lossSum = resumed?.LossSum ?? 0;
        firstLr = resumed?.FirstLr ?? double.NaN;
        correct = resumed?.Correct ?? 0;
        seen = seenBefore = resumed?.Seen ?? 0;
        Batch = resumed?.Batch ?? 0;
        mixed = resumed?.Mixed ?? 0;
    }

    public int Epoch { get; }
    public int BatchCount { get; }
    /// <summary>Batches done in this epoch: the index of the next one.</summary>
    public int Batch { get; private set; }

    /// <summary>The loop waits for the loader from here until <see cref="LoaderReady"/>.</summary>
    public void LoaderWaits() => loaderClock.Start();
    public void LoaderReady() => loaderClock.Stop();

    /// <summary>Counts a finished batch and returns where the epoch stands, and what the batch did.</summary>
    public (EpochProgress Progress, BatchResult Batch) Add(TrainingStep step, int size)
    {
        // Accuracy against the batch's own labels, also for mixed batches (timm records none there).
        long batchCorrect = step.Logits.argmax(1).eq(step.Labels).sum().item<long>();
        if (double.IsNaN(firstLr)) firstLr = step.LearningRate;
        lossSum += step.LossValue * size;
        correct += batchCorrect;
        seen += size;
        if (step.SoftTarget is not null) mixed++;
        Batch++;
        var progress = new EpochProgress(Epoch, Batch, lossSum, correct, seen, mixed, firstLr,
            AtOptimizerStep: !step.SkipStep);
        var result = new BatchResult(Epoch, Batch, BatchCount, step.LossValue, (double)batchCorrect / size,
            step.LearningRate, (seen - seenBefore) / epochClock.Elapsed.TotalSeconds);
        return (progress, result);
    }

    /// <summary>The epoch's record from its training sums and the validation of its model.</summary>
    public EpochResult Result(EpochSettings settings, Evaluation validation, double trainSeconds) => new()
    {
        Epoch = Epoch,
        Phase = settings.Phase,
        LearningRate = firstLr,
        Resolution = settings.Resolution,
        TrainLoss = lossSum / Math.Max(1, seen),
        TrainAccuracy = (double)correct / Math.Max(1, seen),
        ValLoss = validation.Loss,
        ValAccuracy = validation.Accuracy,
        ValTop5 = validation.Top5,
        MixedFraction = Batch == 0 ? 0 : (double)mixed / Batch,
        ImagesPerSecond = (seen - seenBefore) / trainSeconds,
        LoaderWaitFraction = loaderClock.Elapsed.TotalSeconds / trainSeconds,
    };

    /// <summary>Seconds since the epoch started (training, then evaluation).</summary>
    public double Seconds => epochClock.Elapsed.TotalSeconds;
}
