using Regimen.Models;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Sessions;
using Regimen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Tests;

public class MemoryLayoutTests
{
    static nn.Module<Tensor, Tensor> SmallNet(long seed)
    {
        manual_seed(seed);
        return ModelRegistry.Create("small_resnet", new ModelOptions(1, 10, 4, null, null, 0, 0));
    }

    [Fact]
    public void ChannelsLastKeepsValuesAndHasNhwcStrides()
    {
        var x = arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).reshape(2, 3, 4, 5);
        var y = MemoryLayout.ToChannelsLast(x);
        Assert.Equal(new long[] { 60, 1, 15, 3 }, y.stride());
        Assert.True(MemoryLayout.IsChannelsLast(y));
        Assert.False(MemoryLayout.IsChannelsLast(x));
        Assert.True(y.allclose(x, 0, 0));
        Assert.Same(y, MemoryLayout.ToChannelsLast(y));
    }

    [Fact]
    public void ChannelsLastModelComputesWhatTheContiguousOneDoesAndPropagatesTheLayout()
    {
        using var plain = SmallNet(3);
        using var nhwc = SmallNet(3);
        MemoryLayout.ToChannelsLast(nhwc);
        Assert.All(nhwc.named_parameters().Where(p => p.parameter.dim() == 4), p =>
            Assert.True(MemoryLayout.IsChannelsLast(p.parameter), $"{p.name} {string.Join(",", p.parameter.shape)} " +
            $"{string.Join(",", p.parameter.stride())}"));
        plain.eval(); nhwc.eval();
        using var _ = no_grad();
        var x = randn(4, 1, 12, 12);
        var a = plain.forward(x);
        var b = nhwc.forward(x);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), $"max difference {(a - b).abs().max().item<float>()}");
        // libtorch follows the weights' layout: a convolution of a plain input by NHWC weights gives NHWC.
        var conv = nn.Conv2d(1, 4, 3, padding: 1);
        MemoryLayout.ToChannelsLast(conv);
        Assert.True(MemoryLayout.IsChannelsLast(conv.forward(x)));
    }

    [Fact]
    public void CheckpointOfAChannelsLastModelLoadsIntoEitherLayout()
    {
        var dir = TestData.TempDir("layout");
        using var nhwc = SmallNet(5);
        MemoryLayout.ToChannelsLast(nhwc);
        var path = Path.Combine(dir, "m.ckpt");
        Checkpoint.Save(path, new CheckpointHeader { Epoch = 0 }, nhwc, null);
        using var plain = SmallNet(6);
        using var nhwc2 = SmallNet(7);
        MemoryLayout.ToChannelsLast(nhwc2);
        Checkpoint.LoadInto(path, plain, null);
        Checkpoint.LoadInto(path, nhwc2, null);
        var reference = nhwc.state_dict();
        foreach (var (name, t) in plain.state_dict()) Assert.True(t.allclose(reference[name], 0, 0), name);
        foreach (var (name, t) in nhwc2.state_dict()) Assert.True(t.allclose(reference[name], 0, 0), name);
        Assert.All(nhwc2.parameters().Where(p => p.dim() == 4), p => Assert.True(MemoryLayout.IsChannelsLast(p)));
    }

    [Theory]
    [InlineData(4, true, "NCHW: convolution conv1 has 1 -> 4 channels, and below 8 NHWC is slower")]
    [InlineData(8, true, "NHWC weights and activations, as model.channels_last asks")]
    [InlineData(16, true, "NHWC weights and activations, as model.channels_last asks")]
    [InlineData(16, false, "NCHW, as model.channels_last: false asks")]
    public void ChannelsLastWhereAskedAndEveryConvolutionHasEightChannels(int width, bool preferChannelsLast,
        string reason)
    {
        using var model = ModelRegistry.Create("small_resnet", new ModelOptions(1, 10, width, null, null, 0, 0));
        var choice = MemoryLayout.Choose(model, imageChannels: 1, preferChannelsLast);
        Assert.Equal(reason, choice.Reason);
        Assert.Equal(reason.StartsWith("NHWC", StringComparison.Ordinal), choice.ChannelsLast);
    }

    [Fact]
    public void TrainingRecordsTheLayoutItUsesAndWhy()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("layout-data"), trainCount: 64, testCount: 32);
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(epochs: 1), "tiny", new[] { "model.width=16" });
        using (var setup = TrainingSetup.Create(recipe, data))
        {
            Assert.True(setup.ChannelsLast);
            Assert.Contains(setup.Model.parameters(), p => p.dim() == 4 && !p.is_contiguous() &&
                MemoryLayout.IsChannelsLast(p));
        }
        var narrow = RecipeLoader.Parse(TestData.TinyRecipe(epochs: 1), "tiny", new[] { "model.width=4" });
        var outcome = TrainingRunner.Start(new TrainingRequest
        {
            Recipe = narrow,
            OutputDirectory = TestData.TempDir("layout-run"), DataDirectory = data
        });
        Assert.Contains(RunEvent.ReadAll(outcome.Run.EventsFile), e => e is { Kind: "layout", To: "contiguous" } &&
            (e.Message ?? "").Contains("below 8 NHWC is slower"));
        var plain = RecipeLoader.Parse(TestData.TinyRecipe(epochs: 1), "tiny",
            new[] { "model.width=16", "model.channels_last=false" });
        using (var setup = TrainingSetup.Create(plain, data))
            Assert.All(setup.Model.parameters(), p => Assert.True(p.is_contiguous()));
    }
}
