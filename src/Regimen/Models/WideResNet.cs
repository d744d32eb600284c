using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Regimen.Models;

/// <summary>
/// WideResNet-depth-k (Zagoruyko and Komodakis, 2016): three stages of (depth-4)/6 pre-activation wide blocks
/// with 16k, 32k and 64k channels, dropout inside the blocks. WRN-28-10 has 36.5 M parameters for 100 classes.
/// </summary>
public sealed class WideResNet : Module<Tensor, Tensor>, IRegularizedModel, IInferenceGraph
{
    readonly Conv2d stem;
    readonly Sequential stages;
    readonly BatchNorm2d bn;
    readonly Linear fc;
    readonly List<WideBlock> blocks = new();
    double dropout, dropPath;

    public WideResNet(string name, ModelOptions options, int depth, int widenFactor) : base(name)
    {
        if ((depth - 4) % 6 != 0 || depth < 10)
            throw new RegimenException($"model.depth: WideResNet depth must be 6n+4 (10, 16, 22, 28, 40...), got " +
                $"{depth}");
        int n = (depth - 4) / 6;
        int[] widths = { 16, 16 * widenFactor, 32 * widenFactor, 64 * widenFactor };
        stem = Conv2d(options.InputChannels, widths[0], 3, padding: 1, bias: false);
        stages = Sequential();
        int inChannels = widths[0];
        for (int s = 0; s < 3; s++)
        {
            var stage = Sequential();
            for (int b = 0; b < n; b++)
            {
                var block = new WideBlock($"block{b}", inChannels, widths[s + 1], b == 0 && s > 0 ? 2 : 1,
                    options.Dropout);
                stage.append(block);
                blocks.Add(block);
                inChannels = widths[s + 1];
            }
            stages.append($"layer{s + 1}", stage);
        }
        bn = BatchNorm2d(inChannels);
        fc = Linear(inChannels, options.ClassCount);
        RegisterComponents();
        Dropout = options.Dropout;
        DropPath = options.DropPath;
        ResNet.InitializeWeights(this);
    }

    /// <summary>WRN's dropout sits between the two convolutions of every block.</summary>
    public double Dropout
    {
        get => dropout;
        set { dropout = value; foreach (var b in blocks) b.DropoutRate = value; }
    }

    public double DropPath
    {
        get => dropPath;
        set
        {
            dropPath = value;
            for (int i = 0; i < blocks.Count; i++) blocks[i].DropPathRate = blocks.Count > 1
                ? value * i / (blocks.Count - 1) : value;
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Activations released as soon as the next layer has them (see ResNet.forward).
        var y = stem.forward(x);
        foreach (var block in blocks) y = Intermediate.Consume(y, block.forward);
        y = Intermediate.Consume(y, bn.forward).relu_();
        return fc.forward(Intermediate.Consume(y, t => t.mean(new long[] { 2, 3 }))).MoveToOuterDisposeScope();
    }

    public GraphValue Describe(IGraphBuilder graph, GraphValue input)
    {
        var y = graph.Apply(stem, input);
        foreach (var block in blocks) y = graph.Apply(block, y);
        return graph.Apply(fc, graph.GlobalAveragePool(graph.Relu(graph.Apply(bn, y))));
    }
}
