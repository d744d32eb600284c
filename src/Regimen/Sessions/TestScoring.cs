using Regimen.Augment;
using Regimen.Data;
using Regimen.Models;
using Regimen.Runs;
using Regimen.Training;
using static TorchSharp.torch;

namespace Regimen.Sessions;

/// <summary>
/// The test split, scored once when a training has ended: the final weights and the best checkpoint (the one the
/// validation split picked), plain and with the recipe's TTA views, and the final weights' moving average when the
/// recipe keeps one. Nothing the training chose looked at it, unless the recipe validates on the test split, and
/// then the scores say they are optimistic.
/// </summary>
public static class TestScoring
{
    /// <summary>The scores, or null when the setup has no test split or no epoch was trained.</summary>
    public static TestScores? Score(TrainingSetup setup, RunDirectory run, IReadOnlyList<EpochResult> rows)
    {
        if (setup.Test is not { } test || rows.Count == 0) return null;
        var views = Tta.From(setup.Recipe.Evaluation);
        int finalEpoch = rows[^1].Epoch;
        var final = Score(setup.Model, test, setup.Augment, setup.EvalResolution, setup.Recipe, views, finalEpoch);
        TestScore? finalEma = null;
        if (setup.Ema is { } ema)
        {
            var average = Score(ema.Model, test, setup.Augment, setup.EvalResolution, setup.Recipe, views, finalEpoch);
            finalEma = average with { Weights = "ema" };
            final = final with { AccuracyEma = finalEma.Accuracy };
        }
        var best = setup.Monitor.Best(rows);
        TestScore? bestScore = null;
        // best.ckpt holds the weights the monitor scored: the average's for an `_ema` monitor.
        if (best?.Epoch == finalEpoch) bestScore = setup.Monitor.OfEma && finalEma is not null ? finalEma : final;
        else if (best is not null && File.Exists(run.BestCheckpoint))
        {
            var (header, model) = Checkpoint.LoadModel(run.BestCheckpoint);
            TestScore scored;
            using (model)
                scored = Score(model, test, new BatchAugment(header.Mean, header.Std), setup.EvalResolution,
                    setup.Recipe, views, header.Epoch);
            bestScore = scored with { Weights = header.EmaWeights ? "ema" : null };
        }
        return new TestScores
        {
            Split = test.Name, Images = test.Count, SelectedOn = setup.SelectsOnTest ? "test" : "validation",
            Optimistic = setup.SelectsOnTest, Final = final, Best = bestScore,
        };
    }

    static TestScore Score(nn.Module<Tensor, Tensor> model, ImageDataset test, BatchAugment augment, int resolution,
        Recipes.Recipe recipe, Tta views, int epoch)
    {
        int batch = recipe.Evaluation.BatchSize;
        var plain = Evaluator.Evaluate(model, test, augment, resolution, batch, Tta.None);
        double? tta = views.Any ? Evaluator.Evaluate(model, test, augment, resolution, batch, views).Accuracy : null;
        return new TestScore { Epoch = epoch, Accuracy = plain.Accuracy, Loss = plain.Loss, AccuracyTta = tta };
    }
}
