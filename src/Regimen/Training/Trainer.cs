using Regimen.Augment;
using Regimen.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>
/// The one training loop. Every random choice is seeded from (seed, epoch, batch), the learning rate and the
/// phase settings are pure functions of the epoch and step, so starting at any epoch reproduces the run. The loop
/// is only the optimization; each technique is a hook (<see cref="TrainingCallback"/>, <see cref="Techniques"/>).
/// </summary>
public sealed class Trainer
{
    readonly TrainingSetup setup;
    readonly IReadOnlyList<TrainingCallback> callbacks;
    readonly NativeMemoryGuard memoryGuard = new();

    /// <summary>
    /// The recipe's techniques as hooks (<see cref="Techniques.For"/>), then <paramref name="callbacks"/>.
    /// </summary>
    public Trainer(TrainingSetup setup, IEnumerable<TrainingCallback> callbacks)
        : this(setup, Techniques.For(setup).Concat(callbacks).ToList()) { }

    Trainer(TrainingSetup setup, List<TrainingCallback> hooks)
    {
        this.setup = setup;
        callbacks = hooks;
    }

    /// <summary>
    /// A loop with exactly these hooks, the recipe's techniques not included (to replace or leave one out).
    /// </summary>
    public static Trainer WithHooks(TrainingSetup setup, IEnumerable<TrainingCallback> hooks) =>
        new(setup, hooks.ToList());

    /// <summary>
    /// Trains from <paramref name="startEpoch"/> (0, or the epoch after a resumed checkpoint) to the end, or up to
    /// <paramref name="stopEpoch"/> (exclusive) when given: the schedules still span the recipe's epochs.
    /// </summary>
    public TrainingContext Fit(int startEpoch = 0, int? stopEpoch = null) =>
        Fit(new TrainingContext(setup, startEpoch), stopEpoch);

    /// <summary>Trains with a prepared context, whose History may hold the epochs a resumed run already has.</summary>
    public TrainingContext Fit(TrainingContext context, int? stopEpoch = null)
    {
        int startEpoch = context.StartEpoch;
        int end = Math.Min(stopEpoch ?? setup.Recipe.Epochs, setup.Recipe.Epochs);
        foreach (var c in callbacks) c.OnTrainStart(context);
        try
        {
            for (int epoch = startEpoch; epoch < end && context.StopReason is null; epoch++)
            {
                context.Epoch = epoch;
                if (context.Stop.Reason is { } reason)
                {
                    // Asked between epochs (or before the first): the last checkpoint already holds everything done.
                    var resumedHere = context.ResumeProgress is { } r && r.Epoch == epoch ? r : null;
                    context.Interruption = new Interruption(reason, epoch, resumedHere);
                    break;
                }
                var settings = setup.Plan.At(epoch);
                Apply(settings);
                var changes = setup.Plan.ChangesAt(epoch);
                foreach (var c in callbacks) c.OnEpochStart(context, settings, changes);
                var result = RunEpoch(context, epoch, settings);
                if (result is null) break;   // stopped within the epoch
                // Tensors that escaped a dispose scope hold native memory until their finalizers run: collect once an
                // epoch so that RSS stays flat (measured in bench/RESULTS.md), at the cost of a few milliseconds.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                memoryGuard.AtEpochEnd(Environment.WorkingSet);
                context.History.Add(result);
                foreach (var c in callbacks) c.OnEpochEnd(context, result);
            }
        }
        catch (Exception e)
        {
            foreach (var c in callbacks) c.OnTrainEnd(context, e);
            throw;
        }
        if (context.Interruption is { } interruption)
            foreach (var c in callbacks) c.OnInterrupted(context, interruption);
        foreach (var c in callbacks) c.OnTrainEnd(context, null);
        return context;
    }

    /// <summary>The epoch's scheduled values on the models and the optimizer, and train mode for the epoch.</summary>
    void Apply(EpochSettings settings)
    {
        foreach (var model in setup.Replicas)
        {
            if (model is IRegularizedModel regularized)
            {
                regularized.Dropout = settings.Dropout;
                regularized.DropPath = settings.DropPath;
            }
            model.train();
        }
        foreach (var g in setup.Groups.Where(g => g.TakesDecay))
            OptimizerFactory.SetWeightDecay(g.Group, settings.WeightDecay);
    }

    /// <summary>
    /// One epoch: its batches through the hooks, then its validation; null when a stop request ended it part-way.
    /// </summary>
    EpochResult? RunEpoch(TrainingContext context, int epoch, EpochSettings settings)
    {
        // A resume from a recovery checkpoint continues the epoch at its batch, with the sums it had.
        var tally = new EpochTally(epoch, setup.BatchesPerEpoch, context.TakeResumeProgress(epoch));
        var monitored = context.History.Select(h => setup.Monitor.Read(h) ?? double.NaN).ToList();
        setup.Optimizer.zero_grad();
        using var batches = new EpochBatches(setup, epoch, settings, tally.Batch);
        tally.LoaderWaits();
        foreach (var batch in batches.Batches)
        {
            using var scope = NewDisposeScope();
            using var owned = batch;
            manual_seed(Seeds.Derive(setup.Recipe.Seed, epoch, tally.Batch));
            var step = new TrainingStep(epoch, tally.Batch, tally.BatchCount, settings, batch.Input, batch.Labels,
                setup.Model.forward);
            foreach (var c in callbacks) c.BeforeBatch(context, step);
            tally.LoaderReady();
            step.LearningRate = SetLearningRate(step, monitored);
            step.Logits = step.Forward(step.Input);
            step.Loss = step.SoftTarget is null
                ? nn.functional.cross_entropy(step.Logits, step.Labels, label_smoothing: settings.LabelSmoothing)
                : Mixup.SoftTargetCrossEntropy(step.Logits, step.SoftTarget);
            foreach (var c in callbacks) c.AfterLoss(context, step);
            step.LossValue = step.Loss.item<float>();
            foreach (var c in callbacks) c.BeforeBackward(context, step);
            step.Loss.backward();
            foreach (var c in callbacks) c.AfterBackward(context, step);
            foreach (var c in callbacks.TakeWhile(_ => !step.SkipStep)) c.BeforeStep(context, step);
            if (!step.SkipStep)
            {
                setup.Optimizer.step();
                setup.Optimizer.zero_grad();
                foreach (var c in callbacks) c.AfterStep(context, step);
            }
            var (progress, result) = tally.Add(step, batch.Size);
            context.Progress = progress;
            foreach (var c in callbacks) c.OnBatchEnd(context, result);
            // A stop request ends the epoch at an optimizer step (no accumulated gradient is lost) before its last
            // batch.
            if (context.Stop.Reason is { } reason && progress.AtOptimizerStep && tally.Batch < tally.BatchCount)
            {
                context.Interruption = new Interruption(reason, epoch, progress);
                return null;
            }
            tally.LoaderWaits();
        }
        tally.LoaderReady();
        return Validate(context, settings, tally);
    }

    /// <summary>
    /// The batch's rate, set on the optimizer: the schedule's at (epoch, batch), and after divergence rollbacks the
    /// whole schedule scaled down (divergence.lr_factor per rollback).
    /// </summary>
    double SetLearningRate(TrainingStep step, IReadOnlyList<double> monitored)
    {
        double lr = setup.LrScale *
            step.Settings.Schedule.At(step.Epoch, step.Batch, step.BatchCount, monitored, setup.Monitor.HigherIsBetter);
        OptimizerFactory.SetLearningRate(setup.Groups, lr);
        return lr;
    }

    /// <summary>
    /// The epoch's record: training sums, the model's validation, and what the hooks evaluate beside it.
    /// </summary>
    EpochResult Validate(TrainingContext context, EpochSettings settings, EpochTally tally)
    {
        double trainSeconds = tally.Seconds;
        var validation = Evaluator.Evaluate(setup.Model, setup.Validation, setup.Augment, setup.EvalResolution,
            setup.Recipe.Evaluation.BatchSize, flipTta: false);
        var result = tally.Result(settings, validation, trainSeconds);
        foreach (var c in callbacks) result = c.AfterEvaluate(context, result);
        return result with { EpochSeconds = tally.Seconds };
    }
}
