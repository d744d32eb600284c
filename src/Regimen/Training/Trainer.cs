using System.Diagnostics;
using Regimen.Augment;
using Regimen.Data;
using Regimen.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>Raised when the loss becomes NaN or infinite: the run stops and keeps its last good checkpoint.</summary>
public sealed class TrainingDivergedException : RegimenException
{
    public TrainingDivergedException(int epoch, int batch, string what)
        : base($"Training diverged: {what} at epoch {epoch}, batch {batch}. The last good checkpoint is kept; lower optimizer.lr, set optimizer.clip_grad_norm, or set divergence.action: rollback.", ExitCodes.Diverged)
    {
        Epoch = epoch;
        Batch = batch;
        What = what;
    }

    public int Epoch { get; }
    public int Batch { get; }
    /// <summary>What blew up: "loss NaN", "gradient norm 1.2E+07 above divergence.max_grad_norm 1000".</summary>
    public string What { get; }
}

/// <summary>
/// The one training loop. Every random choice is seeded from (seed, epoch, batch), the learning rate and the
/// phase settings are pure functions of the epoch and step, so starting at any epoch reproduces the run.
/// </summary>
public sealed class Trainer
{
    readonly TrainingSetup setup;
    readonly IReadOnlyList<TrainingCallback> callbacks;
    readonly NativeMemoryGuard memoryGuard = new();

    public Trainer(TrainingSetup setup, IEnumerable<TrainingCallback> callbacks)
    {
        this.setup = setup;
        this.callbacks = callbacks.ToList();
    }

    /// <summary>
    /// Trains from <paramref name="startEpoch"/> (0, or the epoch after a resumed checkpoint) to the end, or up to
    /// <paramref name="stopEpoch"/> (exclusive) when given: the schedules still span the recipe's epochs.
    /// </summary>
    public TrainingContext Fit(int startEpoch = 0, int? stopEpoch = null) => Fit(new TrainingContext(setup, startEpoch), stopEpoch);

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

    void Apply(EpochSettings settings)
    {
        foreach (var m in new[] { setup.Model, setup.Precision?.Compute })
            if (m is IRegularizedModel regularized)
            {
                regularized.Dropout = settings.Dropout;
                regularized.DropPath = settings.DropPath;
            }
        foreach (var g in setup.Groups.Where(g => g.TakesDecay)) OptimizerFactory.SetWeightDecay(g.Group, settings.WeightDecay);
        // Fine-tuning's head-only phase: the backbone takes no gradients, so the optimizer leaves it untouched.
        foreach (var g in setup.Groups.Where(g => !g.IsHead))
            foreach (var p in g.Parameters) p.requires_grad = !settings.BackboneFrozen;
    }

    /// <summary>train() for the loop, with the backbone's BatchNorm layers kept in eval mode while frozen (finetune.freeze_bn).</summary>
    void SetTrainMode(EpochSettings settings)
    {
        foreach (var model in new[] { setup.Model, setup.Precision?.Compute })
        {
            if (model is null) continue;
            model.train();
            if (!settings.BackboneFrozen || !setup.Recipe.Finetune.FreezeBn) continue;
            foreach (var (name, module) in model.named_modules())
                if (module is TorchSharp.Modules.BatchNorm2d && !name.StartsWith("fc", StringComparison.Ordinal)) module.eval();
        }
    }

    /// <summary>One epoch's training and evaluation; null when a stop request ended it part-way.</summary>
    EpochResult? RunEpoch(TrainingContext context, int epoch, EpochSettings settings)
    {
        var recipe = setup.Recipe;
        var model = setup.Model;
        var optimizer = setup.Optimizer;
        int batches = setup.BatchesPerEpoch;
        int accumulation = recipe.Optimizer.AccumulationSteps;
        int classes = setup.Train.ClassCount;
        var order = BatchLoader.Order(setup.Train.Count, recipe.Seed, epoch);
        var monitorHistory = context.History.Select(h => Runs.RunRecorder.Value(h, recipe.Evaluation.Monitor)).ToList();
        bool higherIsBetter = recipe.Evaluation.Monitor != "val_loss";
        bool mixing = settings.Augment && (settings.MixupAlpha > 0 || settings.CutmixAlpha > 0);
        SetTrainMode(settings);
        optimizer.zero_grad();

        var epochClock = Stopwatch.StartNew();
        var loaderClock = new Stopwatch();
        // A resume from a recovery checkpoint continues the epoch at its batch, with the sums it had.
        var resumed = context.ResumeProgress is { } p && p.Epoch == epoch ? p : null;
        context.ResumeProgress = null;
        double lossSum = resumed?.LossSum ?? 0, firstLr = resumed?.FirstLr ?? double.NaN;
        long correct = resumed?.Correct ?? 0, seen = resumed?.Seen ?? 0, seenBefore = seen;
        int b = resumed?.Batch ?? 0, mixed = resumed?.Mixed ?? 0, first = b;
        var batchSource = BatchLoader.Batches(setup.Train, recipe.BatchSize, order, dropLast: setup.Train.Count > recipe.BatchSize, first);
        // Each batch's augmentation draws from its own generator: the same batches in the loop or on a worker.
        Tensor Prepare(Batch batch, int index)
        {
            using var generator = new Generator((ulong)Seeds.Derive(recipe.Seed, epoch, index, 0xA06));
            return setup.Augment.Train(batch.Images, settings.Resolution, settings.Augment, settings.AugmentLevel, recipe.Augment, generator);
        }
        using var prefetcher = recipe.Data.Workers > 0 ? new BatchPrefetcher(batchSource, Prepare, recipe.Data.Prefetch, first) : null;
        var prepared = prefetcher?.Batches() ?? batchSource.Select((batch, index) => BatchPrefetcher.Prepare(batch, first + index, Prepare));
        loaderClock.Start();
        foreach (var batch in prepared)
        {
            using var scope = NewDisposeScope();
            using var owned = batch;
            manual_seed(Seeds.Derive(recipe.Seed, epoch, b));
            var x = batch.Input;
            Tensor? softTarget = null;
            if (mixing)
            {
                var random = new Random(Seeds.DeriveInt(recipe.Seed, epoch, b, 0x313));
                var mix = Mixup.Apply(x, batch.Labels, classes, settings.MixupAlpha, settings.CutmixAlpha,
                    settings.MixupProb, settings.SwitchProb, settings.LabelSmoothing, random);
                if (mix.Kind != "none") { x = mix.Input; softTarget = mix.Target; mixed++; }
            }
            loaderClock.Stop();

            // After a divergence rollback the whole schedule runs scaled down (divergence.lr_factor per rollback);
            // metrics.csv records the rate the optimizer got.
            double lr = settings.Schedule.At(epoch, b, batches, monitorHistory, higherIsBetter) * setup.LrScale;
            if (double.IsNaN(firstLr)) firstLr = lr;
            OptimizerFactory.SetLearningRate(setup.Groups, lr);

            Tensor logits;
            if (setup.Precision is { } bf16)
            {
                bf16.PullWeights();
                logits = bf16.Compute.forward(x.to_type(ScalarType.BFloat16)).to_type(ScalarType.Float32);
            }
            else logits = model.forward(x);
            var loss = softTarget is null
                ? nn.functional.cross_entropy(logits, batch.Labels, label_smoothing: settings.LabelSmoothing)
                : Mixup.SoftTargetCrossEntropy(logits, softTarget);
            // Checked before the step, so that a NaN never reaches the weights.
            double batchLoss = loss.item<float>();
            if (double.IsNaN(batchLoss) || double.IsInfinity(batchLoss)) throw new TrainingDivergedException(epoch, b, $"loss {batchLoss}");
            (accumulation > 1 ? loss / accumulation : loss).backward();
            setup.Precision?.PushGradients();
            if ((b + 1) % accumulation == 0 || b == batches - 1)
            {
                double limit = recipe.Divergence.MaxGradNorm;
                if (recipe.Optimizer.ClipGradNorm > 0 || limit > 0)
                {
                    // clip_grad_norm_ returns the norm before clipping; an infinite max_norm measures without clipping.
                    double norm = nn.utils.clip_grad_norm_(model.parameters(), recipe.Optimizer.ClipGradNorm > 0 ? recipe.Optimizer.ClipGradNorm : double.PositiveInfinity);
                    if (limit > 0 && !(norm <= limit))
                        throw new TrainingDivergedException(epoch, b, $"gradient norm {norm:G3} above divergence.max_grad_norm {limit:G3}");
                }
                optimizer.step();
                optimizer.zero_grad();
                setup.Ema?.Update(OptimizerStepIndex(epoch, b, batches, accumulation));
            }

            // Accuracy against the original labels, also for mixed batches (timm records none there).
            long batchCorrect = logits.argmax(1).eq(batch.Labels).sum().item<long>();
            lossSum += batchLoss * batch.Size;
            correct += batchCorrect;
            seen += batch.Size;
            b++;
            context.Progress = new EpochProgress(epoch, b, lossSum, correct, seen, mixed, firstLr, b % accumulation == 0 || b == batches);
            var batchResult = new BatchResult(epoch, b, batches, batchLoss, (double)batchCorrect / batch.Size, lr,
                (seen - seenBefore) / epochClock.Elapsed.TotalSeconds);
            foreach (var c in callbacks) c.OnBatchEnd(context, batchResult);
            // A stop request ends the epoch at an optimizer step (no accumulated gradient is lost) before its last batch.
            if (context.Stop.Reason is { } reason && context.Progress is { AtOptimizerStep: true } at && b < batches)
            {
                context.Interruption = new Interruption(reason, epoch, at);
                return null;
            }
            loaderClock.Start();
        }
        loaderClock.Stop();
        double trainSeconds = epochClock.Elapsed.TotalSeconds;

        var eval = recipe.Evaluation;
        var evaluation = Evaluator.Evaluate(model, setup.Validation, setup.Augment, setup.EvalResolution, eval.BatchSize, flipTta: false);
        var ttaViews = Tta.From(eval);
        double? tta = ttaViews.Any
            ? Evaluator.Evaluate(model, setup.Validation, setup.Augment, setup.EvalResolution, eval.BatchSize, ttaViews).Accuracy
            : null;
        var ema = setup.Ema is null ? null
            : Evaluator.Evaluate(setup.Ema.Model, setup.Validation, setup.Augment, setup.EvalResolution, eval.BatchSize, flipTta: false);

        return new EpochResult
        {
            Epoch = epoch,
            Phase = settings.Phase,
            LearningRate = firstLr,
            Resolution = settings.Resolution,
            TrainLoss = lossSum / Math.Max(1, seen),
            TrainAccuracy = (double)correct / Math.Max(1, seen),
            ValLoss = evaluation.Loss,
            ValAccuracy = evaluation.Accuracy,
            ValTop5 = evaluation.Top5,
            ValAccuracyTta = tta,
            ValLossEma = ema?.Loss,
            ValAccuracyEma = ema?.Accuracy,
            MixedFraction = b == 0 ? 0 : (double)mixed / b,
            EpochSeconds = epochClock.Elapsed.TotalSeconds,
            ImagesPerSecond = (seen - seenBefore) / trainSeconds,
            LoaderWaitFraction = loaderClock.Elapsed.TotalSeconds / trainSeconds,
        };
    }

    /// <summary>The optimizer step counted over the whole run, a function of (epoch, batch) so that resume continues it.</summary>
    static long OptimizerStepIndex(int epoch, int batch, int batches, int accumulation)
    {
        long perEpoch = (batches + accumulation - 1) / accumulation;
        return epoch * perEpoch + batch / accumulation;
    }
}
