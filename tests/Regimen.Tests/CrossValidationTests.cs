using Regimen.Data;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Sessions;
using Regimen.Training;

namespace Regimen.Tests;

public class CrossValidationTests
{
    [Fact]
    public void StratifiedFoldsAreDisjointCoverEverythingAndKeepClassProportions()
    {
        var labels = Enumerable.Range(0, 300).Select(i => (long)(i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 2)).ToArray();
        var folds = Splits.StratifiedKFold(labels, 5, seed: 4);
        Assert.Equal(300, folds.Sum(f => f.Length));
        Assert.Equal(300, folds.SelectMany(f => f).Distinct().Count());
        foreach (var fold in folds)
            foreach (var c in new[] { 0L, 1L, 2L })
                Assert.Equal(20, fold.Count(i => labels[i] == c));
        Assert.Equal(folds.Select(f => f.ToArray()), Splits.StratifiedKFold(labels, 5, seed: 4));          // seeded
        Assert.NotEqual(folds[0], Splits.StratifiedKFold(labels, 5, seed: 5)[0]);
        Assert.Throws<RegimenException>(() => Splits.StratifiedKFold(labels, 1, 0));
    }

    [Fact]
    public void AThreeFoldRunMatchesItsFoldsAndResumesWithoutRetraining()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("cv-data"), trainCount: 150, testCount: 40);
        // Without TTA, so that the out-of-fold scores are those the runs recorded.
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(epochs: 2), "tiny.yaml",
            new[] { "data.folds=3", "evaluation.tta_flip=false" });
        var path = Path.Combine(TestData.TempDir("cv"), "experiment");
        var summary = CrossValidation.Run(recipe, path, data, force: false, _ => Array.Empty<TrainingCallback>());

        Assert.Equal(3, summary.FoldResults.Count);
        for (int f = 0; f < 3; f++)
        {
            var run = new RunDirectory(Path.Combine(path, $"fold-{f + 1}"));
            var runSummary = RunSummary.Read(run.SummaryFile)!;
            var fold = summary.FoldResults[f];
            Assert.Equal(runSummary.BestValue, fold.BestValue);
            Assert.Equal(runSummary.FinalValue, fold.FinalValue);
            Assert.Equal(runSummary.BestEpoch, fold.BestEpoch);
            Assert.Equal(2, fold.EpochsCompleted);
            Assert.Equal(2, MetricsCsv.Read(run.MetricsFile).Count);
            // The best checkpoint re-scored on the fold's images gives the accuracy the run recorded.
            Assert.Equal(runSummary.BestValue!.Value, fold.OofAccuracy, 9);
        }
        Assert.Equal(summary.FoldResults.Average(f => f.BestValue!.Value), summary.BestMean, 9);
        Assert.Equal(ExperimentSummary.Std(summary.FoldResults.Select(f => f.BestValue!.Value).ToArray()),
            summary.BestStd, 9);
        var oof = File.ReadAllLines(Path.Combine(path, "oof_predictions.csv"));
        Assert.Equal(151, oof.Length);
        Assert.StartsWith("index,label,fold,predicted,T-shirt/top,", oof[0]);
        Assert.Equal(41, File.ReadAllLines(Path.Combine(path, "test_predictions.csv")).Length);
        Assert.NotNull(summary.TestEnsembleAccuracy);
        // Each fold's best weights alone on the test split, and their mean: what the ensemble is measured against.
        var loaded = DatasetLoader.Load(recipe.Data, data);
        loaded.Train.Dispose();
        using (var test = loaded.Test!)
            for (int f = 0; f < 3; f++)
            {
                var best = new RunDirectory(Path.Combine(path, $"fold-{f + 1}")).BestCheckpoint;
                var alone = CheckpointEvaluation.EvaluateOn(best, test, tta: false);
                Assert.Equal(alone.Accuracy, summary.FoldResults[f].TestAccuracy!.Value, 9);
                Assert.Equal(alone.Loss, summary.FoldResults[f].TestLogLoss!.Value, 6);
            }
        Assert.Equal(summary.FoldResults.Average(f => f.TestAccuracy!.Value), summary.TestFoldMeanAccuracy!.Value, 9);
        Assert.Equal(summary.ToJson(), File.ReadAllText(Path.Combine(path, "experiment.json")));

        // Issue 20's case at small scale: two epochs of three folds give no critical finding, and the report says
        // which checks were too early.
        var (code, output) = CliTests.Run("analyze", path, "--json");
        Assert.True(code == 0, output);
        using (var json = System.Text.Json.JsonDocument.Parse(output))
        {
            var findings = json.RootElement.GetProperty("findings").EnumerateArray().ToList();
            Assert.DoesNotContain(findings, f => f.GetProperty("severity").GetString() == "critical");
            Assert.DoesNotContain(findings, f => f.GetProperty("kind").GetString() is "overfitting" or "degradation"
                or "fold-spread");
            var notChecked = json.RootElement.GetProperty("unchecked").EnumerateArray()
                .Select(u => u.GetString()!).ToList();
            foreach (var kind in new[] { "overfitting", "degradation", "fold-spread", "plateau" })
                Assert.Contains(notChecked, u => u.StartsWith($"too early to judge {kind}: 2 epochs"));
        }

        // Started again on the same folder: finished folds are kept as they are, not retrained.
        var before = File.GetLastWriteTimeUtc(Path.Combine(path, "fold-1", "metrics.csv"));
        var again = CrossValidation.Run(recipe, path, data, force: false, _ => Array.Empty<TrainingCallback>());
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(path, "fold-1", "metrics.csv")));
        Assert.Equal(summary.OofAccuracy, again.OofAccuracy);
    }
}
