using Regimen.Models;
using Regimen.Recipes;
using Regimen.Training;

namespace Regimen.Runs;

/// <summary>
/// Saves checkpoints/last.ckpt after every epoch and checkpoints/best.ckpt when the monitored metric improves.
/// </summary>
public sealed class CheckpointCallback : TrainingCallback
{
    readonly RunDirectory run;
    readonly RunRecorder recorder;
    double? bestValue;
    int? bestEpoch;

    public CheckpointCallback(RunDirectory run, RunRecorder recorder)
    {
        this.run = run;
        this.recorder = recorder;
    }

    public override void OnTrainStart(TrainingContext context)
    {
        var monitor = context.Setup.Monitor;
        if (monitor.Best(recorder.Rows) is { } best)
        {
            bestValue = monitor.Read(best);
            bestEpoch = best.Epoch;
        }
    }

    /// <summary>
    /// checkpoint.every_steps: a recovery checkpoint within the epoch, at optimizer steps only (an accumulated gradient
    /// is not saved).
    /// </summary>
    public override void OnBatchEnd(TrainingContext context, BatchResult batch)
    {
        var recipe = context.Setup.Recipe;
        int every = recipe.Checkpoint.EverySteps;
        if (every <= 0 || !recipe.Checkpoint.SaveLast || context.Progress is not { AtOptimizerStep: true } progress ||
            progress.Batch >= batch.BatchCount) return;
        long step = (long)progress.Epoch * batch.BatchCount + progress.Batch;
        if (step % every != 0) return;
        Checkpoint.Save(run.LastCheckpoint, Header(context, progress.Epoch) with { Progress = progress },
            context.Setup.Model, context.Setup.Optimizer, context.Setup.Ema?.Model);
    }

    /// <summary>
    /// A stop request within an epoch: a recovery checkpoint where it stopped, so that resume continues exactly.
    /// </summary>
    public override void OnInterrupted(TrainingContext context, Interruption interruption)
    {
        if (interruption.Progress is not { } progress || !context.Setup.Recipe.Checkpoint.SaveLast) return;
        Checkpoint.Save(run.LastCheckpoint, Header(context, progress.Epoch) with { Progress = progress },
            context.Setup.Model, context.Setup.Optimizer, context.Setup.Ema?.Model);
    }

    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        var recipe = context.Setup.Recipe;
        var monitor = context.Setup.Monitor;
        // An epoch without the value (a metric the run did not record) never counts as the best.
        double? value = monitor.Read(result);
        bool improved = value is { } v && monitor.IsBetter(v, bestValue);
        if (improved)
        {
            bestValue = value;
            bestEpoch = result.Epoch;
        }
        var header = Header(context, result.Epoch);
        if (recipe.Checkpoint.SaveLast)
            Checkpoint.Save(run.LastCheckpoint, header, context.Setup.Model, context.Setup.Optimizer,
                context.Setup.Ema?.Model);
        if (improved && recipe.Checkpoint.SaveBest)
        {
            // The best checkpoint holds the weights the monitor scored: the average's for an `_ema` monitor.
            var scored = monitor.OfEma && context.Setup.Ema is { } ema ? ema.Model : context.Setup.Model;
            Checkpoint.Save(run.BestCheckpoint, header with { EmaWeights = scored != context.Setup.Model }, scored,
                optimizer: null);
            recorder.Record(new RunEvent
            {
                Epoch = result.Epoch, Kind = "checkpoint", Key = "best",
                To = RecipeLoader.Format(value!.Value), Message = $"best {monitor.Name} so far"
            });
        }
    }

    CheckpointHeader Header(TrainingContext context, int epoch)
    {
        var setup = context.Setup;
        return new CheckpointHeader
        {
            Epoch = epoch,
            RecipeYaml = RecipeLoader.ToYaml(setup.Recipe),
            ModelName = setup.Recipe.Model.Name,
            InputChannels = setup.Train.Channels,
            ClassCount = setup.Train.ClassCount,
            ClassNames = setup.Train.ClassNames.ToArray(),
            Mean = setup.Mean,
            Std = setup.Std,
            Monitor = setup.Recipe.Evaluation.Monitor,
            BestValue = bestValue,
            BestEpoch = bestEpoch,
            LrScale = setup.LrScale,
            Rollbacks = setup.Rollbacks,
        };
    }
}
