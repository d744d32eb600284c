using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Regimen.Models;

/// <summary>An intermediate tensor of a block's forward, released as soon as the next op has consumed it.</summary>
internal static class Intermediate
{
    /// <summary>next(input), then input released.</summary>
    public static Tensor Consume(Tensor input, Func<Tensor, Tensor> next)
    {
        var output = next(input);
        input.Dispose();
        return output;
    }
}

/// <summary>
/// Stochastic depth: drops the whole residual branch of a sample with probability <c>Rate</c> while training.
/// </summary>
internal static class DropPath
{
    public static Tensor Apply(Tensor branch, double rate, bool training)
    {
        if (!training || rate <= 0) return branch;
        var keep = 1 - rate;
        var mask = empty(new long[] { branch.shape[0], 1, 1, 1 }, branch.dtype).bernoulli_(keep);
        return branch * mask.div_(keep);
    }
}

/// <summary>
/// The basic block of ResNet-18/34 (two 3x3 convolutions and a shortcut), with torchvision's parameter names.
/// </summary>
internal sealed class BasicBlock : Module<Tensor, Tensor>, IInferenceGraph
{
    readonly Conv2d conv1, conv2;
    readonly BatchNorm2d bn1, bn2;
    readonly Sequential? downsample;
    public double DropPathRate { get; set; }

    public BasicBlock(string name, int inChannels, int outChannels, int stride) : base(name)
    {
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = BatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        bn2 = BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
            downsample = Sequential(Conv2d(inChannels, outChannels, 1, stride: stride, bias: false),
                BatchNorm2d(outChannels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Each intermediate is released as soon as the next op has it (autograd keeps what backward needs), and
        // ReLUs run in place as torchvision's do: malloc then reuses warm memory as PyTorch's reference counting
        // lets it (bench/RESULTS.md, piece by piece).
        var y = Intermediate.Consume(conv1.forward(x), bn1.forward).relu_();
        y = Intermediate.Consume(Intermediate.Consume(y, conv2.forward), bn2.forward);
        y = DropPath.Apply(y, DropPathRate, training);
        if (downsample is null) y.add_(x);
        else using (var identity = downsample.forward(x)) y.add_(identity);
        return y.relu_().MoveToOuterDisposeScope();
    }

    public GraphValue Describe(IGraphBuilder g, GraphValue x)
    {
        var y = g.Apply(bn2, g.Apply(conv2, g.Relu(g.Apply(bn1, g.Apply(conv1, x)))));
        return g.Relu(g.Add(y, downsample is null ? x : g.Apply(downsample, x)));
    }
}

/// <summary>
/// The bottleneck block of ResNet-50 (1x1 reduce, 3x3, 1x1 expand by 4), with torchvision's parameter names.
/// </summary>
internal sealed class Bottleneck : Module<Tensor, Tensor>, IInferenceGraph
{
    public const int Expansion = 4;
    readonly Conv2d conv1, conv2, conv3;
    readonly BatchNorm2d bn1, bn2, bn3;
    readonly Sequential? downsample;
    public double DropPathRate { get; set; }

    public Bottleneck(string name, int inChannels, int planes, int stride) : base(name)
    {
        int outChannels = planes * Expansion;
        conv1 = Conv2d(inChannels, planes, 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        conv3 = Conv2d(planes, outChannels, 1, bias: false);
        bn3 = BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
            downsample = Sequential(Conv2d(inChannels, outChannels, 1, stride: stride, bias: false),
                BatchNorm2d(outChannels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // As in BasicBlock: intermediates released as soon as they are consumed, ReLUs in place.
        var y = Intermediate.Consume(conv1.forward(x), bn1.forward).relu_();
        y = Intermediate.Consume(Intermediate.Consume(y, conv2.forward), bn2.forward).relu_();
        y = Intermediate.Consume(Intermediate.Consume(y, conv3.forward), bn3.forward);
        y = DropPath.Apply(y, DropPathRate, training);
        if (downsample is null) y.add_(x);
        else using (var identity = downsample.forward(x)) y.add_(identity);
        return y.relu_().MoveToOuterDisposeScope();
    }

    public GraphValue Describe(IGraphBuilder g, GraphValue x)
    {
        var y = g.Relu(g.Apply(bn1, g.Apply(conv1, x)));
        y = g.Relu(g.Apply(bn2, g.Apply(conv2, y)));
        y = g.Apply(bn3, g.Apply(conv3, y));
        return g.Relu(g.Add(y, downsample is null ? x : g.Apply(downsample, x)));
    }
}

/// <summary>The pre-activation wide block of WideResNet (BN-ReLU-conv twice, dropout between).</summary>
internal sealed class WideBlock : Module<Tensor, Tensor>, IInferenceGraph
{
    readonly BatchNorm2d bn1, bn2;
    readonly Conv2d conv1, conv2;
    readonly Conv2d? shortcut;
    public double DropoutRate { get; set; }
    public double DropPathRate { get; set; }

    public WideBlock(string name, int inChannels, int outChannels, int stride, double dropout) : base(name)
    {
        bn1 = BatchNorm2d(inChannels);
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn2 = BatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        if (stride != 1 || inChannels != outChannels)
            shortcut = Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
        DropoutRate = dropout;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // As in BasicBlock: intermediates released as soon as they are consumed, ReLUs in place.
        var o = bn1.forward(x).relu_();
        var identity = shortcut is null ? x : shortcut.forward(o);
        var y = Intermediate.Consume(Intermediate.Consume(o, conv1.forward), bn2.forward).relu_();
        if (DropoutRate > 0) y = Intermediate.Consume(y, t => functional.dropout(t, DropoutRate, training));
        y = Intermediate.Consume(y, conv2.forward);
        y = DropPath.Apply(y, DropPathRate, training);
        return y.add_(identity).MoveToOuterDisposeScope();
    }

    public GraphValue Describe(IGraphBuilder g, GraphValue x)
    {
        var o = g.Relu(g.Apply(bn1, x));
        var identity = shortcut is null ? x : g.Apply(shortcut, o);
        var y = g.Apply(conv2, g.Relu(g.Apply(bn2, g.Apply(conv1, o))));
        return g.Add(y, identity);
    }
}
