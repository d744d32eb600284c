using Regimen.Analysis;
using Regimen.Augment;
using Regimen.Data;
using Regimen.Models;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Training;

namespace Regimen.Sessions;

/// <summary>
/// Scores a trained model (a run's best checkpoint, or a checkpoint file) on its data set's test split.
/// </summary>
public static class CheckpointEvaluation
{
    /// <summary>
    /// The checkpoint a path stands for: a file as it is, a run folder's best (else last) checkpoint.
    /// </summary>
    public static string ResolveCheckpoint(string runOrCheckpoint)
    {
        if (File.Exists(runOrCheckpoint)) return runOrCheckpoint;
        if (Directory.Exists(runOrCheckpoint))
        {
            var run = new RunDirectory(runOrCheckpoint);
            if (File.Exists(run.BestCheckpoint)) return run.BestCheckpoint;
            if (File.Exists(run.LastCheckpoint)) return run.LastCheckpoint;
            throw new RegimenException($"{runOrCheckpoint}: the run has no checkpoint yet (checkpoints/best.ckpt or " +
                $"last.ckpt)");
        }
        throw new RegimenException($"{runOrCheckpoint}: no such run folder or checkpoint file");
    }

    /// <summary>Scores a checkpoint's model on data already in memory (a validation fold, a test split).</summary>
    public static Evaluation EvaluateOn(string checkpoint, ImageDataset data, bool tta, int batchSize = 500)
    {
        var (header, model) = Checkpoint.LoadModel(checkpoint);
        using (model)
        {
            var recipe = RecipeLoader.Parse(header.RecipeYaml, $"{checkpoint} (recipe)");
            int resolution = recipe.EvaluationResolution(data.Height);
            return Evaluator.Evaluate(model, data, new BatchAugment(header.Mean, header.Std), resolution, batchSize,
                tta ? Views(recipe) : Tta.None);
        }
    }

    /// <summary>The recipe's TTA views, or the horizontal flip when it names none.</summary>
    public static Tta Views(Recipe recipe) => Tta.From(recipe.Evaluation) is { Any: true } views ? views
        : Tta.FlipOr(recipe.Evaluation);

    public static ClassificationReport Evaluate(string runOrCheckpoint, string? dataDirectory, bool tta,
        int batchSize = 500)
    {
        var path = ResolveCheckpoint(runOrCheckpoint);
        var (header, model) = Checkpoint.LoadModel(path);
        using (model)
        {
            var recipe = RecipeLoader.Parse(header.RecipeYaml, $"{path} (recipe)");
            TorchRuntime.Configure(recipe.Threads);
            var loaded = DatasetLoader.Load(recipe.Data, dataDirectory);
            loaded.Train.Dispose();
            var test = loaded.Test ??
                throw new RegimenException($"{path}: the data set has no test split to evaluate on");
            using (test)
            {
                if (test.Channels != header.InputChannels || test.ClassCount != header.ClassCount)
                    throw new RegimenException($"{path}: the model expects {header.InputChannels} channels and " +
                        $"{header.ClassCount} classes, the data has {test.Channels} and {test.ClassCount}");
                var augment = new BatchAugment(header.Mean, header.Std);
                int resolution = recipe.EvaluationResolution(test.Height);
                var plain = Evaluator.Evaluate(model, test, augment, resolution, batchSize, flipTta: false);
                var flipped = tta ? Evaluator.Evaluate(model, test, augment, resolution, batchSize, Views(recipe))
                    : null;
                return ClassificationReport.From($"{path} (epoch {header.Epoch}) on {test.Name}", plain,
                    header.ClassNames, flipped);
            }
        }
    }
}
