using Regimen.Models;
using static TorchSharp.torch;

namespace Regimen.Tests;

/// <summary>
/// Regimen's ResNets are torchvision's: a randomly initialized torchvision model's state dict (made by
/// python3-torchvision in the test) loads with no missing or unexpected key and gives the same logits.
/// </summary>
public class TorchvisionParityTests
{
    [Theory]
    [InlineData("resnet18", 64)]
    [InlineData("resnet34", 64)]
    [InlineData("resnet50", 64)]
    [InlineData("cifar_resnet18", 32)]   // torchvision's ResNet-18 with a 3x3 stride-1 stem and no max-pool
    public void ATorchvisionStateDictLoadsExactlyAndGivesTheSameLogits(string arch, int size)
    {
        var dir = TestData.TempDir("torchvision-" + arch);
        TorchPeer.Run("make", arch, "10", size.ToString(), dir);
        using var model = ModelRegistry.Create(arch, new ModelOptions(3, 10));
        var report = PretrainedWeights.Load(model, Path.Combine(dir, "model.pt"));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Empty(report.ReplacedHead);
        Assert.Equal(model.state_dict().Count, report.Loaded);
        var logits = Logits(model, TorchPeer.ReadFloats(Path.Combine(dir, "input.f32")), size);
        var expected = TorchPeer.ReadFloats(Path.Combine(dir, "logits.f32"));
        var difference = TorchPeer.MaxAbsDifference(expected, logits);
        Assert.True(difference < 1e-4, $"{arch}: max |Regimen - torchvision| = {difference:G3}");
    }

    /// <summary>timm's plain ResNets share torchvision's key names; its train.py wraps them in a checkpoint with
    /// an EMA copy, the optimizer and argparse arguments, the keys prefixed by DistributedDataParallel.</summary>
    [Fact]
    public void ACheckpointShapedAsTimmsTrainPySavesItLoadsWithTheSameLogits()
    {
        var dir = TestData.TempDir("timm-checkpoint");
        TorchPeer.Run("make", "resnet18", "10", "32", dir, "timm");
        using var model = ModelRegistry.Create("resnet18", new ModelOptions(3, 10));
        var report = PretrainedWeights.Load(model, Path.Combine(dir, "model.pt"));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Equal(model.state_dict().Count, report.Loaded);
        var logits = Logits(model, TorchPeer.ReadFloats(Path.Combine(dir, "input.f32")), 32);
        var difference = TorchPeer.MaxAbsDifference(TorchPeer.ReadFloats(Path.Combine(dir, "logits.f32")), logits);
        Assert.True(difference < 1e-4, $"max |Regimen - torchvision| = {difference:G3}");
    }

    internal static float[] Logits(nn.Module<Tensor, Tensor> model, float[] input, int size, int channels = 3)
    {
        model.eval();
        using var _ = no_grad();
        using var x = tensor(input, new long[] { input.Length / (channels * size * size), channels, size, size });
        using var y = model.forward(x);
        return y.data<float>().ToArray();
    }
}
