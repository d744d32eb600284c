using Microsoft.ML.OnnxRuntime;
using Regimen.Export;
using Regimen.Models;
using Regimen.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Regimen.Tests;

/// <summary>Every registry model exported to ONNX computes, in ONNX Runtime, the logits TorchSharp computes.</summary>
public class OnnxExportTests
{
    public static TheoryData<string> RegistryModels()
    {
        var data = new TheoryData<string>();
        foreach (var entry in ModelRegistry.All) data.Add(entry.Name);
        return data;
    }

    /// <summary>Tiny versions where the model has width options; the fixed ones as they are.</summary>
    internal static ModelOptions Tiny(string name, int channels = 3, int classes = 5) => name switch
    {
        "small_resnet" or "cifar_resnet18" => new ModelOptions(channels, classes, Width: 4),
        "wide_resnet" => new ModelOptions(channels, classes, Depth: 10, WidenFactor: 1),
        _ => new ModelOptions(channels, classes),
    };

    internal static ExportManifest Manifest(string model, int channels, int classes, int resolution) => new()
    {
        Model = model,
        InputChannels = channels,
        ClassNames = Enumerable.Range(0, classes).Select(c => $"class {c}").ToArray(),
        Mean = Enumerable.Range(0, channels).Select(c => 0.4f + 0.05f * c).ToArray(),
        Std = Enumerable.Range(0, channels).Select(c => 0.2f + 0.03f * c).ToArray(),
        Resolution = resolution,
        ImageSize = resolution,
        Source = "test",
    };

    /// <summary>BatchNorm away from its initial state, as in a trained network: random affine parameters and
    /// the running statistics of three batches of the images the test feeds (random pixels, normalized with
    /// <paramref name="manifest"/>'s mean and std when given), so that the logits keep a trained network's scale,
    /// about 1, as the torchvision peer's do. An export that used training-mode BatchNorm, or lost the
    /// statistics, would compute other logits.</summary>
    internal static void RandomizeBatchNorm(nn.Module<Tensor, Tensor> model, int seed, int channels = 3,
        int resolution = 32, ExportManifest? manifest = null)
    {
        using var g = new Generator((ulong)seed);
        using var _ = no_grad();
        var norms = model.named_modules().Select(m => m.module).OfType<BatchNorm2d>().ToList();
        foreach (var bn in norms)
        {
            bn.weight!.copy_(rand(bn.num_features, generator: g) + 0.5);
            bn.bias!.copy_(randn(bn.num_features, generator: g) * 0.2);
            bn.momentum = null;   // a cumulative average of the batches' statistics
            bn.reset_running_stats();
        }
        model.train();
        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            var x = rand(8, channels, resolution, resolution, generator: g);
            if (manifest is not null)
                x = (x - tensor(manifest.Mean).view(1, -1, 1, 1)) / tensor(manifest.Std).view(1, -1, 1, 1);
            model.forward(x);
        }
        foreach (var bn in norms) bn.momentum = 0.1;
        model.eval();
    }

    /// <summary>Images in [0, 1] that do not depend on what ran before.</summary>
    internal static Tensor Pixels(int seed, params long[] shape)
    {
        using var g = new Generator((ulong)seed);
        return rand(shape, generator: g);
    }

    static float[] TorchLogits(nn.Module<Tensor, Tensor> model, Tensor pixels, ExportManifest m)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.eval();
        var x = (pixels - tensor(m.Mean).view(1, -1, 1, 1)) / tensor(m.Std).view(1, -1, 1, 1);
        return model.forward(x).data<float>().ToArray();
    }

    [Theory]
    [MemberData(nameof(RegistryModels))]
    public void OnnxRuntimeGivesTorchSharpsLogitsAtTwoBatchSizes(string name)
    {
        const int classes = 5;
        int resolution = name.StartsWith("resnet", StringComparison.Ordinal) ? 64 : 32;   // ImageNet stem: /32
        manual_seed(3);
        using var model = ModelRegistry.Create(name, Tiny(name, classes: classes));
        var manifest = Manifest(name, 3, classes, resolution);
        RandomizeBatchNorm(model, 5, resolution: resolution, manifest: manifest);
        var path = Path.Combine(TestData.TempDir("onnx-" + name), name + ".onnx");
        OnnxExport.Write(model, manifest, path);

        using var session = new InferenceSession(path);
        Assert.Equal("batch", session.InputMetadata[OnnxExport.Input].SymbolicDimensions[0]);
        Assert.Equal(new[] { -1, 3, resolution, resolution }, session.InputMetadata[OnnxExport.Input].Dimensions);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("[\"class 0\",\"class 1\",\"class 2\",\"class 3\",\"class 4\"]", metadata["class_names"]);
        Assert.Equal(manifest.ToJson(), OnnxExport.ManifestFrom(metadata, path).ToJson());
        foreach (int batch in new[] { 1, 3 })
        {
            using var pixels = Pixels(batch, batch, 3, resolution, resolution);
            var expected = TorchLogits(model, pixels, manifest);
            var actual = OnnxClassifier.Run(session, pixels.data<float>().ToArray(), pixels.shape, OnnxExport.Logits);
            var difference = TorchPeer.MaxAbsDifference(expected, actual);
            Assert.True(difference < 1e-4, $"{name}, batch {batch}: max |ONNX Runtime - TorchSharp| = " +
                $"{difference:G3} " +
                $"(logits up to {expected.Max(Math.Abs):G3})");
            Assert.InRange(expected.Max(Math.Abs), 0.05, 50);   // not all zero, and a trained network's scale
        }
    }

    [Fact]
    public void AChannelsLastModelExportsItsWeightsInOnnxOrder()
    {
        manual_seed(4);
        using var model = ModelRegistry.Create("small_resnet", new ModelOptions(1, 4, Width: 8));
        var manifest = Manifest("small_resnet", 1, 4, 28);
        RandomizeBatchNorm(model, 6, channels: 1, resolution: 28, manifest: manifest);
        MemoryLayout.ToChannelsLast(model);
        using var session = new InferenceSession(OnnxExport.Build(model, manifest));
        using var pixels = Pixels(2, 2, 1, 28, 28);
        var difference = TorchPeer.MaxAbsDifference(TorchLogits(model, pixels, manifest),
            OnnxClassifier.Run(session, pixels.data<float>().ToArray(), pixels.shape, OnnxExport.Logits));
        Assert.True(difference < 1e-4, $"max |ONNX Runtime - TorchSharp| = {difference:G3}");
    }

    /// <summary>A model whose layers the exporter may not know (a GELU) or whose graph ONNX Runtime rejects.</summary>
    sealed class OddModel : nn.Module<Tensor, Tensor>, IInferenceGraph
    {
        readonly Conv2d conv = nn.Conv2d(3, 4, 3, padding: 1);
        readonly GELU act = nn.GELU();
        readonly Linear fc = nn.Linear(4, 2);
        readonly bool badOp;

        public OddModel(bool badOp) : base("odd") { this.badOp = badOp; RegisterComponents(); }

        public override Tensor forward(Tensor x) => fc.forward(act.forward(conv.forward(x)).mean(new long[] { 2, 3 }));

        public GraphValue Describe(IGraphBuilder g, GraphValue x)
        {
            var y = g.Apply(conv, x);
            y = badOp ? ((OnnxGraphBuilder)g).Node("NoSuchOperator", new[] { y.Name }) : g.Apply(act, y);
            return g.Apply(fc, g.GlobalAveragePool(y));
        }
    }

    [Fact]
    public void ALayerWithoutAnOnnxFormIsNamed()
    {
        using var model = new OddModel(badOp: false);
        var e = Assert.Throws<OnnxExportException>(() => OnnxExport.Build(model, Manifest("odd", 3, 2, 8)));
        Assert.Contains("layer 'act' (GELU) has no ONNX form", e.Message);
        Assert.Contains("model 'odd'", e.Message);
    }

    [Fact]
    public void AModelThatDescribesNoGraphIsRefusedWithItsName()
    {
        using var model = nn.Sequential(nn.Conv2d(3, 2, 3));
        var e = Assert.Throws<OnnxExportException>(() => OnnxExport.Build(model, Manifest("plain", 3, 2, 8)));
        Assert.Contains("model 'plain' (Sequential) cannot be exported to ONNX", e.Message);
    }

    [Fact]
    public void AGraphOnnxRuntimeRejectsIsNeverWrittenAndTheOldFileStays()
    {
        using var model = new OddModel(badOp: true);
        var path = Path.Combine(TestData.TempDir("onnx-rejected"), "model.onnx");
        File.WriteAllText(path, "previous export");
        var e = Assert.Throws<OnnxExportException>(() => OnnxExport.Write(model, Manifest("odd", 3, 2, 8), path));
        Assert.Contains("ONNX Runtime rejects the exported graph", e.Message);
        Assert.Contains("nothing was written", e.Message);
        Assert.Equal("previous export", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
