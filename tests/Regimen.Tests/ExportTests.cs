using System.Globalization;
using System.Text.Json;
using Regimen.Export;
using Regimen.Models;
using Regimen.Onnx;
using Regimen.Recipes;
using Regimen.Sessions;
using Regimen.Training;
using static TorchSharp.torch;

namespace Regimen.Tests;

/// <summary>regimen export and predict --onnx: the files leave Regimen and compute what the checkpoint
/// computes.</summary>
public class ExportTests
{
    static float[] Logits(nn.Module<Tensor, Tensor> model, float[] input, int channels, int size) =>
        TorchvisionParityTests.Logits(model, input, size, channels);

    [Theory]
    [InlineData("resnet50", ".pt", false)]
    [InlineData("cifar_resnet18", ".pt", true)]   // trained channels-last: the file holds plain NCHW tensors
    [InlineData("resnet18", ".safetensors", false)]
    public void AnExportedStateDictLoadsIntoTorchvisionStrictlyWithTheSameLogits(string arch, string extension,
        bool nhwc)
    {
        var dir = TestData.TempDir("export-" + arch);
        int size = arch == "cifar_resnet18" ? 32 : 64;   // the ImageNet stem divides by 32
        manual_seed(7);
        using var model = ModelRegistry.Create(arch, new ModelOptions(3, 10));
        OnnxExportTests.RandomizeBatchNorm(model, 8, resolution: size);
        if (nhwc) MemoryLayout.ToChannelsLast(model);
        var path = Path.Combine(dir, "model" + extension);
        var format = extension == ".pt" ? ExportFormat.PyTorch : ExportFormat.Safetensors;
        StateDictExport.Write(model, OnnxExportTests.Manifest(arch, 3, 10, size), path, format);

        using var input = OnnxExportTests.Pixels(9, 2, 3, size, size);
        var pixels = input.data<float>().ToArray();
        TorchPeer.WriteFloats(Path.Combine(dir, "input.f32"), pixels);
        TorchPeer.Run("load", arch, "10", path, dir);
        var loaded = TorchPeer.ReadFloats(Path.Combine(dir, "loaded.f32"));
        var difference = TorchPeer.MaxAbsDifference(Logits(model, pixels, 3, size), loaded);
        Assert.True(difference < 1e-4, $"{arch}: max |torchvision - Regimen| = {difference:G3}");
        Assert.InRange(loaded.Max(Math.Abs), 0.05, 50);

        using var sidecar = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model.json")));
        var root = sidecar.RootElement;
        Assert.Equal(10, root.GetProperty("class_names").GetArrayLength());
        Assert.Equal(size, root.GetProperty("resolution").GetInt32());
        Assert.Equal(3, root.GetProperty("mean").GetArrayLength());
        var torchvision = arch == "cifar_resnet18" ? "resnet18" : arch;
        Assert.Contains($"torchvision.models.{torchvision}(num_classes=10)", root.GetProperty("pytorch").GetString());
    }

    static string Recipe(string data, string model = "small_resnet", int epochs = 2, int evalResolution = 20) => $"""
        name: export-tiny
        epochs: {epochs}
        batch_size: 6
        threads: 2
        model:
          name: {model}
          width: 4
        data:
          dataset: imagefolder
          path: {data}
          image_size: 16
        evaluation:
          resolution: {evalResolution}
        optimizer:
          lr: 0.05
        """;

    static string Train(string data, string recipe)
    {
        var file = Path.Combine(TestData.TempDir("export-recipe"), "r.yaml");
        File.WriteAllText(file, recipe);
        var run = Path.Combine(TestData.TempDir("export-run"), "run");
        var (code, output) = CliTests.Run("train", file, "--out", run, "--plain");
        Assert.True(code == 0, output);
        return run;
    }

    static Dictionary<string, float[]> ReadCsv(string path) =>
        File.ReadAllLines(path).Skip(1).Select(line => line.Split(','))
            .ToDictionary(cells => cells[0],
                cells => cells.Skip(2).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());

    [Fact]
    public void PredictWithTheExportedOnnxFileGivesTheCheckpointsProbabilities()
    {
        var data = ColourTestData.WriteImageFolder(TestData.TempDir("export-data"), classes: 3, perClass: 6, size: 20);
        var run = Train(data, Recipe(data));
        var (code, output) = CliTests.Run("export", run);
        Assert.True(code == 0, output);
        var onnx = Path.Combine(run, "checkpoints", "best.onnx");
        Assert.True(File.Exists(onnx), output);
        Assert.Contains("checked by ONNX Runtime", output);

        // The library: the same probabilities image by image (the checkpoint decodes to 16 px and resizes to 20).
        var val = new[] { Path.Combine(data, "val") };
        var fromCheckpoint = Prediction.Predict(run, val, tta: false);
        using (var classifier = OnnxClassifier.Open(onnx))
        {
            Assert.Equal(20, classifier.Manifest.Resolution);
            Assert.Equal(16, classifier.Manifest.ImageSize);
            var fromOnnx = Prediction.Predict(new[] { classifier }, val);
            Assert.Equal(fromCheckpoint.Images, fromOnnx.Images);
            Assert.Equal(fromCheckpoint.Classes, fromOnnx.Classes);
            for (int i = 0; i < fromOnnx.Images.Count; i++)
                for (int c = 0; c < 3; c++)
                    Assert.True(Math.Abs(fromCheckpoint.Probabilities[i, c] - fromOnnx.Probabilities[i, c]) < 1e-5,
                        $"{fromOnnx.Images[i]} class {c}: {fromCheckpoint.Probabilities[i, c]} vs " +
                        $"{fromOnnx.Probabilities[i, c]}");
            Assert.Equal(fromCheckpoint.Accuracy, fromOnnx.Accuracy);
        }

        // The command line: predict --onnx writes the CSV that predict on the run writes.
        var dir = TestData.TempDir("export-predict");
        string a = Path.Combine(dir, "checkpoint.csv"), b = Path.Combine(dir, "onnx.csv");
        Assert.Equal(0, CliTests.Run("predict", run, val[0], "--out", a).Code);
        (code, output) = CliTests.Run("predict", "--onnx", onnx, val[0], "--out", b);
        Assert.True(code == 0, output);
        Assert.Contains("accuracy", output);
        var (expected, actual) = (ReadCsv(a), ReadCsv(b));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (image, probabilities) in expected)
            Assert.True(TorchPeer.MaxAbsDifference(probabilities, actual[image]) < 1e-5, image);

        // Safetensors and .pt with their sidecar, read back by Regimen's own loader.
        var weights = Path.Combine(dir, "weights.safetensors");
        (code, output) = CliTests.Run("export", run, "--format", "safetensors", "--out", weights);
        Assert.True(code == 0, output);
        var sidecar = ExportManifest.FromJson(File.ReadAllText(Path.Combine(dir, "weights.json")), "weights.json");
        Assert.Equal(new[] { "class_0", "class_1", "class_2" }, sidecar.ClassNames);
        Assert.Contains("no torchvision model has this architecture (small_resnet)", sidecar.PyTorch);
        var best = Path.Combine(run, "checkpoints", "best.ckpt");
        (code, output) = CliTests.Run("export", best, "--format", "pt", "--out", Path.Combine(dir, "w.pt"));
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(dir, "w.json")));
        var (_, trained) = Checkpoint.LoadModel(best);
        using (trained)
        using (var reloaded = ModelRegistry.Create("small_resnet", new ModelOptions(3, 3, Width: 4)))
        {
            var report = PretrainedWeights.Load(reloaded, weights);
            Assert.Empty(report.Missing);
            Assert.Empty(report.Unexpected);
            using var x = rand(2, 3, 20, 20);
            var pixels = x.data<float>().ToArray();
            var original = Logits(trained, pixels, 3, 20);
            var difference = TorchPeer.MaxAbsDifference(original, Logits(reloaded, pixels, 3, 20));
            Assert.True(difference < 1e-6, $"{difference:G3}");
        }
    }

    [Fact]
    public void ATrainedResNetExportedFromTheCommandLineLoadsIntoTorchvisionStrictly()
    {
        var data = ColourTestData.WriteImageFolder(TestData.TempDir("export-rn-data"), 3, perClass: 2, size: 32);
        var recipe = Recipe(data, "resnet18", epochs: 1, evalResolution: 32)
            .Replace("image_size: 16", "image_size: 32");
        var run = Train(data, recipe);
        var dir = TestData.TempDir("export-rn");
        var path = Path.Combine(dir, "resnet18.pt");
        var (code, output) = CliTests.Run("export", run, "--format", "pytorch", "--out", path);
        Assert.True(code == 0, output);
        Assert.Contains("torchvision.models.resnet18(num_classes=3)", output);
        var (_, model) = Checkpoint.LoadModel(Path.Combine(run, "checkpoints", "best.ckpt"));
        using (model)
        {
            using var x = rand(2, 3, 32, 32);
            var pixels = x.data<float>().ToArray();
            TorchPeer.WriteFloats(Path.Combine(dir, "input.f32"), pixels);
            TorchPeer.Run("load", "resnet18", "3", path, dir);
            // Two steps leave BatchNorm's running statistics far from the activations, so the logits are in the
            // thousands: float32 agreement is then relative (the random-weight parity tests are 1e-4 absolute).
            var logits = Logits(model, pixels, 3, 32);
            var difference = TorchPeer.MaxAbsDifference(logits, TorchPeer.ReadFloats(Path.Combine(dir, "loaded.f32")));
            double scale = Math.Max(1, logits.Max(Math.Abs));
            Assert.True(difference < 1e-5 * scale, $"max |torchvision - Regimen| = {difference:G3}, " +
                $"largest {scale:G4}");
        }
    }

    [Fact]
    public void BadExportAndPredictCommandsSayWhatIsWrong()
    {
        var dir = TestData.TempDir("export-bad");
        var checkpoint = Path.Combine(dir, "model.ckpt");
        manual_seed(1);
        using (var model = ModelRegistry.Create("small_resnet", new ModelOptions(3, 2, Width: 4)))
        {
            var recipe = Recipe(dir);
            Checkpoint.Save(checkpoint, new CheckpointHeader
            {
                RecipeYaml = recipe, ModelName = "small_resnet", InputChannels = 3, ClassCount = 2,
                ClassNames = new[] { "a", "b" }, Mean = new[] { 0.5f, 0.5f, 0.5f }, Std = new[] { 0.25f, 0.25f, 0.25f },
            }, model, null);
        }
        void Refused(string expected, params string[] args)
        {
            var (code, output) = CliTests.Run(args);
            Assert.True(code == ExitCodes.BadInput, $"{string.Join(' ', args)} -> {code}: {output}");
            Assert.Contains(expected, output);
            Assert.DoesNotContain("   at ", output);
        }
        Refused("unknown format 'onx' (did you mean 'onnx'?)", "export", checkpoint, "--format", "onx");
        Refused("known: onnx, safetensors, pytorch", "export", checkpoint, "--format", "tflite");
        Refused("is a folder", "export", checkpoint, "--out", dir);
        Refused(".pt is the extension of the pytorch format", "export", checkpoint, "--out", Path.Combine(dir, "m.pt"));
        Refused("no such run folder or checkpoint file", "export", Path.Combine(dir, "missing"));
        var notOnnx = Path.Combine(dir, "fake.onnx");
        File.WriteAllText(notOnnx, "not a model");
        Refused("ONNX Runtime cannot load it", "predict", "--onnx", notOnnx, dir);
        Refused("no such ONNX file", "predict", "--onnx", Path.Combine(dir, "none.onnx"), dir);
        Refused("--tta: not with --onnx", "predict", "--onnx", notOnnx, dir, "--tta");
        Assert.False(File.Exists(Path.Combine(dir, "model.onnx")));
        Assert.Equal(0, CliTests.Run("export", checkpoint).Code);
        Assert.True(File.Exists(Path.Combine(dir, "model.onnx")));
    }
}
