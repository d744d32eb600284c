using Regimen.Models;
using Regimen.Training;
using static TorchSharp.torch;

namespace Regimen.Tests;

public class EmaTests
{
    [Fact]
    public void EmaFollowsItsDefinition()
    {
        manual_seed(1);
        using var model = ModelRegistry.Create("small_resnet", new ModelOptions(1, 3, Width: 2));
        using var copy = ModelRegistry.Create("small_resnet", new ModelOptions(1, 3, Width: 2));
        using var ema = new ModelEma(model, copy, decay: 0.9, warmup: false);
        var p = model.parameters().First();
        var start = p.detach().clone();
        using (no_grad()) p.add_(1.0);
        ema.Update(step: 0);
        var e = ema.Model.parameters().First();
        Assert.True(e.allclose(start + 0.1, atol: 1e-6));       // 0.9·start + 0.1·(start + 1)
        Assert.Equal(1.0 / 10,
            new ModelEma(model, ModelRegistry.Create("small_resnet", new ModelOptions(1, 3, Width: 2)), 0.999, true)
            .DecayAt(0), 9);
        Assert.Equal(0.999, new ModelEma(model, ModelRegistry.Create("small_resnet", new ModelOptions(1, 3, Width: 2)),
            0.999, true).DecayAt(100000), 9);
    }
}
