using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Regimen.Export;
using Regimen.Models;
using static TorchSharp.torch;

namespace Regimen.Onnx;

/// <summary>
/// Writes a model as an ONNX file in inference form: input <c>image</c> [batch, C, R, R] with pixels in [0, 1]
/// (batch dynamic, R the run's evaluation resolution), the recipe's normalization as the first nodes (Sub, Div),
/// BatchNorm with its running statistics, outputs <c>logits</c> and <c>probabilities</c> (softmax) [batch, classes];
/// the manifest's fields (class names, normalization, resolution) in the model's metadata. Before the file is
/// written, ONNX Runtime loads the graph and its logits on a random batch are compared with TorchSharp's: a graph
/// it rejects or computes differently is never written.
/// </summary>
public static class OnnxExport
{
    public const string Input = "image", Logits = "logits", Probabilities = "probabilities";
    const int Opset = 17, IrVersion = 8;

    /// <summary>The ONNX model, checked by ONNX Runtime, as bytes (what <see cref="Write"/> saves).</summary>
    public static byte[] Build(nn.Module<Tensor, Tensor> model, ExportManifest manifest)
    {
        manifest = manifest.Validated($"model '{manifest.Model}'");
        if (model is not IInferenceGraph graphModel)
            throw new OnnxExportException($"model '{manifest.Model}' ({model.GetType().Name}) cannot be exported to " +
                "ONNX: it does not describe its inference graph (Regimen.Models.IInferenceGraph)");
        model.eval();
        var builder = new OnnxGraphBuilder(model, manifest.Model);
        var graph = builder.Graph;
        graph.Name = manifest.Model;
        graph.Input.Add(Value(Input, manifest.InputChannels, manifest.Resolution, manifest.Resolution));
        var x = new GraphValue(Input);
        using (var mean = tensor(manifest.Mean).view(1, -1, 1, 1))
        using (var std = tensor(manifest.Std).view(1, -1, 1, 1))
        {
            x = builder.Node("Sub", new[] { x.Name, builder.Initializer("normalize.mean", mean) }, "normalize");
            x = builder.Node("Div", new[] { x.Name, builder.Initializer("normalize.std", std) }, "normalize");
        }
        var logits = graphModel.Describe(builder, x);
        Rename(graph, logits.Name, Logits);
        var softmax = new NodeProto { OpType = "Softmax", Name = Probabilities };
        softmax.Input.Add(Logits);
        softmax.Output.Add(Probabilities);
        softmax.Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        graph.Node.Add(softmax);
        graph.Output.Add(Value(Logits, manifest.ClassNames.Length));
        graph.Output.Add(Value(Probabilities, manifest.ClassNames.Length));

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Regimen",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"{manifest.Model} exported by Regimen from {manifest.Source}: input '{Input}' is NCHW " +
                $"pixels in [0, 1] at {manifest.Resolution}x{manifest.Resolution}; the graph normalizes them itself",
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in Metadata(manifest))
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        var bytes = proto.ToByteArray();
        Verify(bytes, model, manifest);
        return bytes;
    }

    /// <summary>Builds, verifies with ONNX Runtime, then writes atomically: nothing is written when a step
    /// fails, and a file already at <paramref name="path"/> stays as it was.</summary>
    public static void Write(nn.Module<Tensor, Tensor> model, ExportManifest manifest, string path)
    {
        var bytes = Build(model, manifest);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Each manifest field as a metadata entry, its value as JSON (class_names: ["cat","dog"]).</summary>
    internal static IEnumerable<(string Key, string Value)> Metadata(ExportManifest manifest)
    {
        using var document = JsonDocument.Parse(manifest.ToJson());
        foreach (var property in document.RootElement.EnumerateObject())
            yield return (property.Name, JsonSerializer.Serialize(property.Value));
    }

    /// <summary>The manifest back from an ONNX file's metadata (see <see cref="Metadata"/>).</summary>
    internal static ExportManifest ManifestFrom(IReadOnlyDictionary<string, string> metadata, string path)
    {
        if (!metadata.ContainsKey("class_names"))
            throw new RegimenException($"{path}: the model's metadata has no class_names: this reads ONNX files " +
                "written by 'regimen export'");
        var fields = metadata.Select(kv => JsonSerializer.Serialize(kv.Key) + ":" + kv.Value);
        return ExportManifest.FromJson("{" + string.Join(",", fields) + "}", $"{path} (metadata)");
    }

    /// <summary>ONNX Runtime loads the graph and its logits on a random batch of two match TorchSharp's.</summary>
    static void Verify(byte[] bytes, nn.Module<Tensor, Tensor> model, ExportManifest manifest)
    {
        int r = manifest.Resolution, c = manifest.InputChannels;
        var shape = new long[] { 2, c, r, r };
        float[] input, expected;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            using var generator = new Generator(0x0AA);
            var x = rand(shape, generator: generator);
            var normalized = (x - tensor(manifest.Mean).view(1, -1, 1, 1)) / tensor(manifest.Std).view(1, -1, 1, 1);
            input = x.data<float>().ToArray();
            expected = model.forward(normalized).data<float>().ToArray();
        }
        float[] actual;
        try
        {
            using var session = new InferenceSession(bytes);
            actual = OnnxClassifier.Run(session, input, shape, Logits);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxExportException($"model '{manifest.Model}': ONNX Runtime rejects the exported graph " +
                $"({e.Message}); nothing was written");
        }
        double allowed = 1e-3 * Math.Max(1, expected.Max(Math.Abs)), difference = 0;
        for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
            difference = Math.Max(difference, Math.Abs(expected[i] - actual[i]));
        if (actual.Length != expected.Length || !(difference <= allowed))
            throw new OnnxExportException($"model '{manifest.Model}': ONNX Runtime's logits differ from TorchSharp's " +
                $"by {difference:G3} on a check batch (allowed {allowed:G3}); nothing was written");
    }

    static void Rename(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == from) node.Output[i] = to;
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == from) node.Input[i] = to;
        }
    }

    /// <summary>A float tensor's description: a dynamic first dimension named "batch", then fixed ones.</summary>
    static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } };
    }
}
