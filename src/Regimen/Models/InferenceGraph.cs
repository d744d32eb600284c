using static TorchSharp.torch;

namespace Regimen.Models;

/// <summary>A value in an inference graph being built (an ONNX tensor name, for the ONNX builder).</summary>
public readonly record struct GraphValue(string Name);

/// <summary>
/// A model or block that can describe its computation in inference form (BatchNorm with its running statistics;
/// dropout and drop path, identities at inference, left out), beside its <c>forward</c>. Exporters (ONNX) walk it;
/// ExportTests check, for every registry model, that the described graph computes what <c>forward</c> does.
/// </summary>
public interface IInferenceGraph
{
    GraphValue Describe(IGraphBuilder graph, GraphValue input);
}

/// <summary>What a model's <see cref="IInferenceGraph.Describe"/> may use: its layers and a few parameterless
/// ops.</summary>
public interface IGraphBuilder
{
    /// <summary>A registered submodule applied to <paramref name="input"/>: a layer the builder knows (Conv2d,
    /// BatchNorm2d, Linear, MaxPool2d), a Sequential of such, or a block that is itself an
    /// <see cref="IInferenceGraph"/>. Any other module is refused with its name and type.</summary>
    GraphValue Apply(nn.Module module, GraphValue input);

    GraphValue Relu(GraphValue input);

    GraphValue Add(GraphValue a, GraphValue b);

    /// <summary>The mean over height and width: [N, C, H, W] to [N, C].</summary>
    GraphValue GlobalAveragePool(GraphValue input);
}
