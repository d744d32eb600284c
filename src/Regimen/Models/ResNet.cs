using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Regimen.Models;

/// <summary>
/// The ResNet family in one class: an ImageNet stem (7x7 stride 2 and max-pool) or a small-image stem
/// (3x3 stride 1, no pool, as for CIFAR and 28x28 inputs), stages of basic or bottleneck blocks, global average
/// pooling, dropout and a linear classifier named <c>fc</c> (the head that fine-tuning replaces). Parameter
/// names follow torchvision (conv1, bn1, layer1.0.conv1, layer1.0.downsample.0, fc), so torchvision state dicts load as
/// they are.
/// </summary>
public sealed class ResNet : Module<Tensor, Tensor>, IRegularizedModel, IInferenceGraph
{
    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly MaxPool2d? maxpool;
    readonly List<Sequential> layers = new();
    readonly Linear fc;
    readonly List<Module<Tensor, Tensor>> blocks = new();
    double dropPath;

    public ResNet(string name, ModelOptions options, bool imagenetStem, bool bottleneck, int[] layers, int[] widths)
        : base(name)
    {
        int stemWidth = widths[0];
        conv1 = imagenetStem
            ? Conv2d(options.InputChannels, stemWidth, 7, stride: 2, padding: 3, bias: false)
            : Conv2d(options.InputChannels, stemWidth, 3, stride: 1, padding: 1, bias: false);
        bn1 = BatchNorm2d(stemWidth);
        if (imagenetStem) maxpool = MaxPool2d(3, stride: 2, padding: 1);
        int inChannels = stemWidth;
        for (int s = 0; s < layers.Length; s++)
        {
            var stage = Sequential();
            for (int b = 0; b < layers[s]; b++)
            {
                int stride = b == 0 && s > 0 ? 2 : 1;
                Module<Tensor, Tensor> block = bottleneck
                    ? new Bottleneck($"block{b}", inChannels, widths[s], stride)
                    : new BasicBlock($"block{b}", inChannels, widths[s], stride);
                inChannels = bottleneck ? widths[s] * Bottleneck.Expansion : widths[s];
                stage.append(block);
                blocks.Add(block);
            }
            this.layers.Add(stage);
        }
        FeatureCount = inChannels;
        fc = Linear(inChannels, options.ClassCount);
        Dropout = options.Dropout;
        RegisterComponents();
        for (int s = 0; s < this.layers.Count; s++) register_module($"layer{s + 1}", this.layers[s]);
        DropPath = options.DropPath;
        InitializeWeights(this);
    }

    public int FeatureCount { get; }
    public double Dropout { get; set; }

    /// <summary>
    /// Stochastic depth, rising linearly from 0 at the first block to this rate at the last (as in timm).
    /// </summary>
    public double DropPath
    {
        get => dropPath;
        set
        {
            dropPath = value;
            for (int i = 0; i < blocks.Count; i++)
            {
                double rate = blocks.Count > 1 ? value * i / (blocks.Count - 1) : value;
                switch (blocks[i])
                {
                    case BasicBlock b: b.DropPathRate = rate; break;
                    case Bottleneck b: b.DropPathRate = rate; break;
                }
            }
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Every activation is released as soon as the next layer has it, as in the blocks: in evaluation it is freed
        // at once, in training autograd keeps what backward needs.
        var y = Intermediate.Consume(conv1.forward(x), bn1.forward).relu_();
        if (maxpool is not null) y = Intermediate.Consume(y, maxpool.forward);
        foreach (var block in blocks) y = Intermediate.Consume(y, block.forward);
        var features = Intermediate.Consume(y, t => t.mean(new long[] { 2, 3 }));
        if (Dropout > 0) features = functional.dropout(features, Dropout, training);
        return fc.forward(features).MoveToOuterDisposeScope();
    }

    public GraphValue Describe(IGraphBuilder graph, GraphValue input)
    {
        var y = graph.Relu(graph.Apply(bn1, graph.Apply(conv1, input)));
        if (maxpool is not null) y = graph.Apply(maxpool, y);
        foreach (var block in blocks) y = graph.Apply(block, y);
        return graph.Apply(fc, graph.GlobalAveragePool(y));
    }

    /// <summary>Kaiming-normal convolutions, unit BatchNorm, as torchvision does.</summary>
    internal static void InitializeWeights(Module root)
    {
        foreach (var (_, module) in root.named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut,
                        nonlinearity: init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d bn:
                    init.ones_(bn.weight);
                    init.zeros_(bn.bias);
                    break;
            }
        }
    }
}
