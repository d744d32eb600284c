using Regimen.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Tests;

/// <summary>
/// Every model of the registry, in both memory layouts, computes the loss, the gradients and the evaluation outputs
/// that the same model computes in float64. float64 convolutions do not go through oneDNN (it has no f64 kernels), so
/// the reference is libtorch's plain im2col path. On virtual machines whose CPU reports no cache sizes, libtorch 2.10's
/// oneDNN got a width-8 ResNet's input gradients wrong by half their size until OneDnnCacheFix told it so: this is
/// the test that catches that kind of fault. Deep ImageNet models are compared in evaluation mode, where BatchNorm is
/// affine: in training mode its statistics over a few 2x2 maps amplify float32 rounding to whole percents, in PyTorch
/// 1.13 alike.
/// </summary>
public class GradientCheckTests
{
    [Theory]
    [InlineData("small_resnet", 1, 28, 4, true)]
    [InlineData("small_resnet", 1, 28, 8, true)]
    [InlineData("small_resnet", 3, 20, 12, true)]
    [InlineData("small_resnet", 3, 16, 16, true)]
    [InlineData("cifar_resnet18", 1, 28, 8, true)]     // the default recipe's model
    [InlineData("cifar_resnet18", 3, 16, 24, true)]
    [InlineData("wide_resnet", 3, 16, 1, true)]        // WRN-10-1: 16, 16, 32, 64 channels, pre-activation blocks
    [InlineData("wide_resnet", 3, 16, 3, true)]        // WRN-10-3: 48 channels
    [InlineData("resnet18", 3, 64, 0, false)]          // ImageNet stem: 7x7 stride 2, max-pool
    [InlineData("resnet50", 3, 64, 0, false)]          // bottlenecks, strided 1x1 shortcuts
    public void BothLayoutsComputeWhatFloat64Computes(string name, int channels, int size, int width, bool trainingMode)
    {
        // One thread: a reduction's order, and with it the rounding, is then the same in every run.
        int threads = get_num_threads();
        set_num_threads(1);
        try { Check(name, channels, size, width, trainingMode); }
        finally { set_num_threads(threads); }
    }

    static void Check(string name, int channels, int size, int width, bool trainingMode)
    {
        bool wide = name == "wide_resnet";
        var options = new ModelOptions(channels, 10, wide || width == 0 ? null : width, wide ? 10 : null,
            wide ? width : null, 0, 0);
        manual_seed(3);
        var x = randn(8, channels, size, size);
        var y = randint(0, 10, new long[] { 8 }, dtype: ScalarType.Int64);
        using var reference = ModelRegistry.Create(name, options);
        var initial = reference.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        reference.to(ScalarType.Float64);
        var expected = Run(reference, x.to_type(ScalarType.Float64), y, trainingMode);

        foreach (bool channelsLast in new[] { false, true })
        {
            using var model = ModelRegistry.Create(name, options);
            model.load_state_dict(initial);
            if (channelsLast) MemoryLayout.ToChannelsLast(model);
            string where =
                $"{name} width {width}, {(channelsLast ? "NHWC" : "NCHW")}, oneDNN caches: {OneDnnCacheFix.Status}";
            var actual = Run(model, x, y, trainingMode);
            Assert.True(Math.Abs(actual.Loss - expected.Loss) < 1e-4 * Math.Max(1, expected.Loss), $"{where}: loss " +
                $"{actual.Loss} against {expected.Loss}");
            foreach (var (parameter, gradient) in expected.Gradients)
                AssertClose(actual.Gradients[parameter], gradient, $"{where}: gradient of {parameter}");
            AssertClose(actual.Eval, expected.Eval, $"{where}: evaluation output");
        }
    }

    sealed record Result(double Loss, Dictionary<string, Tensor> Gradients, Tensor Eval);

    /// <summary>
    /// One forward and backward (loss and every parameter's gradient) and one no-grad evaluation forward.
    /// </summary>
    static Result Run(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, bool trainingMode)
    {
        model.train(trainingMode);
        var loss = nn.functional.cross_entropy(model.forward(x), y);
        loss.backward();
        var gradients = model.named_parameters().ToDictionary(p => p.name, p =>
            p.parameter.grad!.to_type(ScalarType.Float64));
        model.eval();
        using var noGrad = no_grad();
        return new Result(loss.to_type(ScalarType.Float64).item<double>(), gradients, model.forward(x)
            .to_type(ScalarType.Float64));
    }

    /// <summary>
    /// Within 1 % of the whole tensor's norm. Float32 rounding alone stays near 1e-6, except where an activation
    /// rounds to the other side of a ReLU's zero: that unit's gradient then changes, and everything upstream of it by
    /// up to 0.25 % (seen in NHWC with some seeds: one element of a BatchNorm bias off, the stem's weights 0.1-0.23 %).
    /// The faults this test is for moved gradients by 3.5 % at the least, most by 15-100 % or to NaN.
    /// </summary>
    static void AssertClose(Tensor actual, Tensor expected, string what)
    {
        double scale = expected.norm().item<double>();
        double error = (actual - expected).norm().item<double>();
        Assert.True(error <= 1e-2 * Math.Max(scale, 1e-8) && double.IsFinite(error),
            $"{what}: relative error {error / scale:G3} (largest element difference " +
                $"{(actual - expected).abs().max().item<double>():G3})");
    }
}
