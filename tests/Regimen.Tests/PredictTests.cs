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
        var data = ColourTestData.WriteImageFolder(TestData.TempDir("predict-data"), classes: 3, perClass: 6, size: 20,
            format: "jpg");
        var outcome = TrainingRunner.Start(new TrainingRequest
        {
            Recipe = RecipeLoader.Parse(Recipe(data), "p.yaml"),
            OutputDirectory = TestData.TempDir("predict-run")
        });
        var result = Prediction.Predict(outcome.Run.Path, new[] { Path.Combine(data, "val") }, tta: false);
        Assert.Equal(18, result.Images.Count);
        Assert.All(result.Labels, l => Assert.NotNull(l));
        var report = CheckpointEvaluation.Evaluate(outcome.Run.Path, null, tta: false);
        Assert.Equal(report.Accuracy, result.Accuracy!.Value, 9);
        Assert.Equal(report.Loss, result.LogLoss!.Value, 4);
        var csv = result.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("image,predicted,class_0,class_1,class_2", csv[0]);
        Assert.Equal(19, csv.Length);
        var withTta = Prediction.Predict(outcome.Run.Path, new[] { Path.Combine(data, "val", "class_1", "img_0.jpg") },
            tta: true);
        Assert.Single(withTta.Images);
        Assert.Throws<RegimenException>(() =>
            Prediction.Predict(outcome.Run.Path, new[] { Path.Combine(data, "nothing") }, tta: false));
    }

    [Fact]
    public void AnExperimentAveragesItsFolds()
    {
        var data = ColourTestData.WriteImageFolder(TestData.TempDir("predict-cv"), classes: 3, perClass: 6, size: 20,
            format: "png");
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

/// <summary>
/// predict as a user runs it on their own images: shapes the model did not train on, class folder names.
/// </summary>
public class PredictInputTests
{
    static void WritePng(string path, int width, int height, bool grayscale)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SkiaSharp.SKBitmap(width, height, grayscale ? SkiaSharp.SKColorType.Gray8
            : SkiaSharp.SKColorType.Rgba8888,
            SkiaSharp.SKAlphaType.Opaque);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SkiaSharp.SKColor((byte)(x * 9), (byte)(y * 5), 90));
        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, encoded.ToArray());
    }

    [Fact]
    public void ImagesAreCheckedAgainstTheModelAndClassNamesMapToSafeFolderNames()
    {
        Assert.Equal("T-shirt_top", Data.ImageFolderReader.SafeFolderName("T-shirt/top"));
        var data = TestData.WriteIdxDataset(TestData.TempDir("predict-in-data"), trainCount: 64, testCount: 20);
        var recipe = Path.Combine(TestData.TempDir("predict-in-recipe"), "tiny.yaml");
        File.WriteAllText(recipe, TestData.TinyRecipe(epochs: 1));
        var run = Path.Combine(TestData.TempDir("predict-in-run"), "run");
        var (code, output) = CliTests.Run("train", recipe, "--data", data, "--out", run);
        Assert.True(code == 0, output);

        var images = TestData.TempDir("predict-in-images");
        WritePng(Path.Combine(images, "T-shirt_top", "a.png"), 28, 28, grayscale: true);     // as trained
        Assert.True(Data.ImageFolderReader.Inspect(Path.Combine(images, "T-shirt_top", "a.png"))!.Grayscale);
        WritePng(Path.Combine(images, "Trouser", "b.png"), 64, 48, grayscale: false);        // colour, another size
        WritePng(Path.Combine(images, "trousers", "c.png"), 28, 28, grayscale: true);        // no such class
        var csv = Path.Combine(images, "preds.csv");
        (code, output) = CliTests.Run("predict", run, images, "--out", csv);
        Assert.True(code == 0, output);
        Assert.Contains("note: 1 image(s) are 64x48 RGB, converted to grayscale, resized to 28x28 (shorter side, " +
                        "centre crop): the model takes 28x28 grayscale images", output);
        Assert.Contains("note: 1 folder(s) match no class, their images are not scored: " +
            Path.Combine(images, "trousers") + " (1)", output);
        Assert.Contains("T-shirt_top, Trouser, Pullover", output);
        Assert.Contains("labelled images: 2", output);

        File.Delete(csv);
        (code, output) = CliTests.Run("predict", run, images, "--out", csv, "--strict");
        Assert.Equal(2, code);
        Assert.Contains("--strict: 1 image(s) are 64x48 RGB (" + Path.Combine(images, "Trouser", "b.png") + "); " +
                        "the model takes 28x28 grayscale images", output);
        Assert.False(File.Exists(csv));
    }
}
