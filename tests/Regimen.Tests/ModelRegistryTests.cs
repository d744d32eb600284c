using Regimen.Models;
using Regimen.Sessions;
using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Tests;

public class ModelRegistryTests
{
    sealed class Probe : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> fc;
        public Probe(ModelOptions o) : base("probe")
        {
            fc = nn.Linear(o.InputChannels * 8 * 8, o.ClassCount);
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => fc.forward(x.flatten(1));
    }

    [Fact]
    public void AModelRegisteredFromOutsideIsBuiltNamedInRecipesAndSuggested()
    {
        var entry = ModelRegistry.Register("outside_probe", "a linear probe", "none", o => new Probe(o));
        Assert.Same(entry, ModelRegistry.All.Single(m => m.Name == "outside_probe"));
        using (var model = ModelRegistry.Create("OUTSIDE_PROBE", new ModelOptions(1, 3)))
            Assert.Equal(8 * 8 * 3 + 3, ModelRegistry.ParameterCount(model));
        Assert.Equal("outside_probe", CheckedRecipes.Parse("model:\n  name: outside_probe\n", "r.yaml").Model.Name);
        var e = Assert.Throws<RegimenException>(() => CheckedRecipes.Parse("model:\n  name: outside_prob\n", "r.yaml"));
        Assert.Contains("r.yaml:2:3: model.name: unknown model 'outside_prob' (did you mean 'outside_probe'?)",
            e.Message);

        Assert.Contains("already registered", Assert.Throws<RegimenException>(() =>
            ModelRegistry.Register("Outside_Probe", "again", "none", o => new Probe(o))).Message);
        Assert.Contains("use letters, digits", Assert.Throws<RegimenException>(() =>
            ModelRegistry.Register("my model", "spaces", "none", o => new Probe(o))).Message);
        Assert.Contains("already registered", Assert.Throws<RegimenException>(() =>
            ModelRegistry.Register("resnet50", "a built-in name", "none", o => new Probe(o))).Message);
    }
}
