using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using Regimen.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Regimen.Onnx;

/// <summary>
/// Builds an ONNX graph (opset 17) from a model's <see cref="IInferenceGraph"/> description: convolutions,
/// BatchNorm in inference form (its running statistics), linear layers and max-pooling become ONNX nodes whose
/// weights are initializers named like the state dict's keys (layer1.0.conv1.weight).
/// </summary>
internal sealed class OnnxGraphBuilder : IGraphBuilder
{
    readonly Dictionary<nn.Module, string> paths = new(ReferenceEqualityComparer.Instance);
    int next;

    public OnnxGraphBuilder(nn.Module root, string modelName)
    {
        ModelName = modelName;
        foreach (var (name, module) in root.named_modules()) paths.TryAdd(module, name);
    }

    public string ModelName { get; }
    public GraphProto Graph { get; } = new();

    public GraphValue Apply(nn.Module module, GraphValue input)
    {
        var path = paths.TryGetValue(module, out var p) ? p : module.GetName();
        switch (module)
        {
            case IInferenceGraph block: return block.Describe(this, input);
            case Sequential sequence:
                foreach (var child in sequence.children()) input = Apply(child, input);
                return input;
            case Conv2d conv: return Conv(path, conv, input);
            case BatchNorm2d bn: return BatchNorm(path, bn, input);
            case Linear linear: return Gemm(path, linear, input);
            case MaxPool2d pool: return MaxPool(path, pool, input);
            default:
                throw new OnnxExportException($"model '{ModelName}': layer '{path}' ({module.GetType().Name}) has no " +
                    "ONNX form (the exporter knows Conv2d, BatchNorm2d, Linear, MaxPool2d, Sequential and blocks " +
                    "that implement IInferenceGraph)");
        }
    }

    public GraphValue Relu(GraphValue input) => Node("Relu", new[] { input.Name });

    public GraphValue Add(GraphValue a, GraphValue b) => Node("Add", new[] { a.Name, b.Name });

    public GraphValue GlobalAveragePool(GraphValue input) =>
        Node("Flatten", new[] { Node("GlobalAveragePool", new[] { input.Name }).Name }, Int("axis", 1));

    GraphValue Conv(string path, Conv2d conv, GraphValue input)
    {
        if (conv.padding_type is not null || conv.padding_mode != PaddingModes.Zeros || conv.transposed)
            throw new OnnxExportException($"model '{ModelName}': layer '{path}' (Conv2d): only zero-padded, " +
                $"non-transposed convolutions with explicit padding are exported (this one: {conv.padding_mode}, " +
                $"padding {conv.padding_type?.ToString() ?? "explicit"})");
        var inputs = new List<string> { input.Name, Initializer($"{path}.weight", conv.weight!) };
        if (conv.bias is not null) inputs.Add(Initializer($"{path}.bias", conv.bias));
        var padding = Pair(conv.padding, 0);
        return Node("Conv", inputs, path,
            Ints("kernel_shape", Pair(conv.kernel_size, 1)), Ints("strides", Pair(conv.stride, 1)),
            Ints("pads", Pads(padding)), Ints("dilations", Pair(conv.dilation, 1)), Int("group", conv.groups));
    }

    GraphValue BatchNorm(string path, BatchNorm2d bn, GraphValue input)
    {
        if (bn.running_mean is null || bn.running_var is null)
            throw new OnnxExportException($"model '{ModelName}': layer '{path}' (BatchNorm2d) keeps no running " +
                "statistics, so it has no inference form");
        using var scope = NewDisposeScope();
        var inputs = new[]
        {
            input.Name,
            Initializer($"{path}.weight", bn.weight ?? ones(bn.num_features)),
            Initializer($"{path}.bias", bn.bias ?? zeros(bn.num_features)),
            Initializer($"{path}.running_mean", bn.running_mean),
            Initializer($"{path}.running_var", bn.running_var),
        };
        return Node("BatchNormalization", inputs, path, Float("epsilon", (float)bn.eps));
    }

    GraphValue Gemm(string path, Linear linear, GraphValue input)
    {
        var inputs = new List<string> { input.Name, Initializer($"{path}.weight", linear.weight!) };
        if (linear.bias is not null) inputs.Add(Initializer($"{path}.bias", linear.bias));
        return Node("Gemm", inputs, path, Int("transB", 1));
    }

    GraphValue MaxPool(string path, MaxPool2d pool, GraphValue input)
    {
        var kernel = Pair(pool.kernel_size, 1);
        var padding = Pair(pool.padding, 0);
        return Node("MaxPool", new[] { input.Name }, path,
            Ints("kernel_shape", kernel), Ints("strides", Pair(pool.stride, kernel[0], kernel[1])),
            Ints("pads", Pads(padding)), Ints("dilations", Pair(pool.dilation, 1)),
            Int("ceil_mode", pool.ceil_mode ? 1 : 0));
    }

    /// <summary>A float32 initializer holding the tensor's values (NCHW order whatever its strides).</summary>
    public string Initializer(string name, Tensor value)
    {
        using var scope = NewDisposeScope();
        var plain = value.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(plain.shape);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(plain.data<float>().ToArray().AsSpan()));
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A node whose one output is named after the layer (or the op) and a running number.</summary>
    public GraphValue Node(string op, IEnumerable<string> inputs, string? path = null,
        params AttributeProto[] attributes)
    {
        var output = $"{(path is null ? op : path)}:{next++}";
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return new GraphValue(output);
    }

    GraphValue Node(string op, string[] inputs, params AttributeProto[] attributes) =>
        Node(op, inputs, null, attributes);

    /// <summary>ONNX's pads: the beginnings of height and width, then their ends.</summary>
    static long[] Pads(long[] padding) => new[] { padding[0], padding[1], padding[0], padding[1] };

    /// <summary>TorchSharp gives a 2-D layer's sizes as one value or two (height, width); a missing one takes
    /// the default.</summary>
    static long[] Pair(long[]? values, long defaultHeight, long? defaultWidth = null) => values switch
    {
        null or { Length: 0 } => new[] { defaultHeight, defaultWidth ?? defaultHeight },
        { Length: 1 } => new[] { values[0], values[0] },
        _ => new[] { values[0], values[1] },
    };

    static AttributeProto Ints(string name, long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    internal static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
}

/// <summary>A model or layer that cannot be written as ONNX; the message says which and why.</summary>
public sealed class OnnxExportException : RegimenException
{
    public OnnxExportException(string message) : base(message, ExitCodes.BadInput) { }
}
