using Regimen.Analysis;
using Regimen.Models;
using Regimen.Recipes;
using Regimen.Sessions;
using Regimen.Training;
using static TorchSharp.torch;

namespace Regimen.Tests;

public class PredictTests
{
    static string Recipe(string data, int folds = 0) => $"""
        name: colour-tiny
        epochs: 2
        batch_size: 6
        threads: 2
        model:
          name: small_resnet
          width: 4
        data:
          dataset: imagefolder
          path: {data}
          image_size: 16
          folds: {folds}
        optimizer:
          lr: 0.1
        """;

    [Fact]
    public void PredictWritesACsvAndScoresLabelledFoldersLikeEvaluate()
    {
        var data = ColourTestData.WriteImageFolder(TestData.TempDir("predict-data"), classes: 3, perClass: 6, size: 20, format: "jpg");
        var outcome = TrainingRunner.Start(new TrainingRequest { Recipe = RecipeLoader.Parse(Recipe(data), "p.yaml"), OutputDirectory = TestData.TempDir("predict-run") });
        var result = Prediction.Predict(outcome.Run.Path, new[] { Path.Combine(data, "val") }, tta: false);
        Assert.Equal(18, result.Images.Count);
        Assert.All(result.Labels, l => Assert.NotNull(l));
        var report = CheckpointEvaluation.Evaluate(outcome.Run.Path, null, tta: false);
        Assert.Equal(report.Accuracy, result.Accuracy!.Value, 9);
        Assert.Equal(report.Loss, result.LogLoss!.Value, 4);
        var csv = result.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("image,predicted,class_0,class_1,class_2", csv[0]);
        Assert.Equal(19, csv.Length);
        var withTta = Prediction.Predict(outcome.Run.Path, new[] { Path.Combine(data, "val", "class_1", "img_0.jpg") }, tta: true);
        Assert.Single(withTta.Images);
        Assert.Throws<RegimenException>(() => Prediction.Predict(outcome.Run.Path, new[] { Path.Combine(data, "nothing") }, tta: false));
    }

    [Fact]
    public void AnExperimentAveragesItsFolds()
    {
        var data = ColourTestData.WriteImageFolder(TestData.TempDir("predict-cv"), classes: 3, perClass: 6, size: 20, format: "png");
        var recipe = RecipeLoader.Parse(Recipe(data, folds: 3), "p.yaml");
        var path = Path.Combine(TestData.TempDir("predict-exp"), "exp");
        CrossValidation.Run(recipe, path, null, false, _ => Array.Empty<TrainingCallback>());
        var result = Prediction.Predict(path, new[] { Path.Combine(data, "val") }, tta: false);
        Assert.Equal(3, result.Models);
        for (int i = 0; i < result.Images.Count; i++)
        {
            double total = Enumerable.Range(0, 3).Sum(c => result.Probabilities[i, c]);
            Assert.Equal(1.0, total, 4);
        }
    }

    [Fact]
    public void TtaAveragesTheViews()
    {
        manual_seed(3);
        using var model = ModelRegistry.Create("small_resnet", new ModelOptions(1, 4, Width: 2));
        model.eval();
        var x = rand(3, 1, 16, 16);
        using var _ = no_grad();
        var plain = nn.functional.softmax(model.forward(x), 1);
        Assert.True(Tta.None.Probabilities(model, x).allclose(plain));
        var flip = (plain + nn.functional.softmax(model.forward(x.flip(3)), 1)) / 2;
        Assert.True(new Tta(true, 0, 0).Probabilities(model, x).allclose(flip, atol: 1e-6));
        var all = new Tta(true, 5, 24).Probabilities(model, x);
        Assert.Equal(new long[] { 3, 4 }, all.shape);
        Assert.True(all.sum(1).allclose(ones(3), atol: 1e-5));
    }
}
