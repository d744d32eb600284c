using Regimen.Models;
using Regimen.Training;
using static TorchSharp.torch;

namespace Regimen.Tests;

public class EmaTests
{
    [Fact]
    public void EmaFollowsItsDefinition()
    {
        manual_seed(1);
        using var model = ModelRegistry.Create("small_resnet", new ModelOptions(1, 3, Width: 2));
        using var copy = ModelRegistry.Create("small_resnet", new ModelOptions(1, 3, Width: 2));
        using var ema = new ModelEma(model, copy, decay: 0.9, warmup: false);
        var p = model.parameters().First();
        var start = p.detach().clone();
        using (no_grad()) p.add_(1.0);
        ema.Update(step: 0);
        var e = ema.Model.parameters().First();
        Assert.True(e.allclose(start + 0.1, atol: 1e-6));       // 0.9·start + 0.1·(start + 1)
        Assert.Equal(1.0 / 10,
            new ModelEma(model, ModelRegistry.Create("small_resnet", new ModelOptions(1, 3, Width: 2)), 0.999, true)
            .DecayAt(0), 9);
        Assert.Equal(0.999, new ModelEma(model, ModelRegistry.Create("small_resnet", new ModelOptions(1, 3, Width: 2)),
            0.999, true).DecayAt(100000), 9);
    }
}

public class EmaCheckpointTests
{
    /// <summary>
    /// A run monitored on the moving average keeps the average's weights in best.ckpt (the weights that scored
    /// best), and its test scores say which weights they scored: the final weights with the average beside them.
    /// </summary>
    [Fact]
    public void AnEmaMonitorKeepsTheAveragesWeightsAsTheBestCheckpoint()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("ema-best-data"), trainCount: 120, testCount: 40);
        var recipe = Recipes.RecipeLoader.Parse(TestData.TinyRecipe(epochs: 3), "tiny.yaml",
            new[] { "ema.enabled=true", "ema.decay=0.5", "evaluation.monitor=val_acc_ema", "data.validation=test" });
        var outcome = Sessions.TrainingRunner.Start(new Sessions.TrainingRequest
        {
            Recipe = recipe, OutputDirectory = TestData.TempDir("ema-best"), DataDirectory = data, Force = true,
        });
        var summary = Runs.RunSummary.Read(outcome.Run.SummaryFile)!;
        var rows = Runs.MetricsCsv.Read(outcome.Run.MetricsFile);
        var best = rows.Single(r => r.Epoch == summary.BestEpoch);

        Assert.True(Checkpoint.ReadHeader(outcome.Run.BestCheckpoint).EmaWeights);
        var loaded = Data.DatasetLoader.Load(recipe.Data, data);
        loaded.Train.Dispose();
        using var test = loaded.Test!;
        var scored = Sessions.CheckpointEvaluation.EvaluateOn(outcome.Run.BestCheckpoint, test, tta: false);
        Assert.Equal(best.ValLossEma!.Value, scored.Loss, 4);       // the average's loss, not the plain weights'
        Assert.NotEqual(best.ValLoss, scored.Loss, 4);

        var scores = summary.Test!;
        Assert.Equal("ema", scores.Best!.Weights);
        Assert.Null(scores.Final!.Weights);
        Assert.NotNull(scores.Final.AccuracyEma);
        Assert.Contains("(EMA weights)", scores.Describe());
        Assert.Contains($"(EMA {Units.Percent(scores.Final.AccuracyEma!.Value)})", scores.Describe());
    }
}
