using Regimen.Recipes;
using Regimen.Sessions;

namespace Regimen.Tests;

public class RecipeTests
{
    [Fact]
    public void EveryBuiltinRecipeLoadsAndRoundTripsThroughYaml()
    {
        Assert.NotEmpty(BuiltinRecipes.All);
        Assert.NotNull(BuiltinRecipes.Find(BuiltinRecipes.DefaultName));
        foreach (var builtin in BuiltinRecipes.All)
        {
            var recipe = RecipeLoader.Load(builtin.Name);
            var yaml = RecipeLoader.ToYaml(recipe);
            var again = RecipeLoader.Parse(yaml, "roundtrip");
            Assert.Equal(yaml, RecipeLoader.ToYaml(again));
        }
    }

    [Fact]
    public void ValuesAreReadFromYaml()
    {
        var r = RecipeLoader.Parse(TestData.TinyRecipe(epochs: 3), "tiny.yaml");
        Assert.Equal(3, r.Epochs);
        Assert.Equal(8, r.Model.Width);
        Assert.Equal(0.2, r.Optimizer.Lr);
        Assert.Equal(0.5, r.LrSchedule.WarmupEpochs);
        Assert.True(r.Evaluation.TtaFlip);
    }

    [Fact]
    public void UnknownKeyNamesFileLineAndSuggestsTheRightKey()
    {
        var e = Assert.Throws<RegimenException>(() =>
            RecipeLoader.Parse("epochs: 3\noptimizer:\n  lr: 0.1\n  weight_decy: 0.01\n", "r.yaml"));
        Assert.Contains("r.yaml:4:3", e.Message);
        Assert.Contains("unknown key 'optimizer.weight_decy'", e.Message);
        Assert.Contains("did you mean 'weight_decay'", e.Message);
    }

    [Fact]
    public void WrongTypeNamesTheKey()
    {
        var e = Assert.Throws<RegimenException>(() => RecipeLoader.Parse("epochs: three\n", "r.yaml"));
        Assert.Contains("r.yaml:1:9: epochs: expected a whole number, found 'three'", e.Message);
    }

    [Fact]
    public void OutOfRangeValuesAreAllReportedWithTheirLines()
    {
        var e = Assert.Throws<RegimenException>(() => RecipeLoader.Parse(
            "epochs: 10\noptimizer:\n  lr: -0.1\naugment:\n  hflip: 1.5\n", "r.yaml"));
        Assert.Contains("2 problems", e.Message);
        Assert.Contains("r.yaml:3:3: optimizer.lr: must be positive", e.Message);
        Assert.Contains("r.yaml:5:3: augment.hflip: must be a probability", e.Message);
    }

    [Fact]
    public void PhasesMustLieInsideTheTrainingAndNotOverlap()
    {
        var e = Assert.Throws<RegimenException>(() => RecipeLoader.Parse(
            "epochs: 10\nphases:\n  - from_epoch: 5\n    resolution: 32\n  - from_epoch: 5\n  - from_epoch: 12\n",
                "r.yaml"));
        Assert.Contains("phases[1].from_epoch: phases overlap", e.Message);
        Assert.Contains("phases[2].from_epoch: must lie inside the training's epochs 0..9, got 12", e.Message);
    }

    [Fact]
    public void MalformedYamlGivesTheLine()
    {
        var e = Assert.Throws<RegimenException>(() => RecipeLoader.Parse("epochs: 3\nmodel: [unclosed\n", "bad.yaml"));
        Assert.Contains("bad.yaml:", e.Message);
        Assert.Contains("malformed YAML", e.Message);
    }

    [Fact]
    public void UnknownModelSuggestsAName()
    {
        var e = Assert.Throws<RegimenException>(() => CheckedRecipes.Parse("model:\n  name: resnet_50\n", "r.yaml"));
        Assert.Contains("model.name: unknown model 'resnet_50' (did you mean 'resnet50'?)", e.Message);
    }

    [Fact]
    public void EachRegistryChecksItsOwnNamesAtTheirLines()
    {
        const string yaml = "model:\n  name: wrn16_5\ndata:\n  dataset: fashion_mnist\nlr_schedule:\n  name: " +
                            "cosin\nearly_stopping:\n  monitor: val_los\nphases:\n  - from_epoch: 0\n    " +
                            "lr_schedule:\n      name: zzz\n";
        // The recipe stage checks schema and ranges only; names belong to the registries after it.
        Assert.Equal("wrn16_5", RecipeLoader.Parse(yaml, "r.yaml").Model.Name);
        var e = Assert.Throws<RegimenException>(() => CheckedRecipes.Parse(yaml, "r.yaml"));
        Assert.Contains("5 problems", e.Message);
        Assert.Contains("r.yaml:2:3: model.name: unknown model 'wrn16_5' (did you mean 'wrn16_4'?)", e.Message);
        Assert.Contains("r.yaml:4:3: data.dataset: unknown data set 'fashion_mnist' (did you mean 'fashion-mnist'?)",
            e.Message);
        Assert.Contains("lr_schedule.name: unknown schedule 'cosin' (did you mean 'cosine'?)", e.Message);
        Assert.Contains("early_stopping.monitor: unknown metric 'val_los' (did you mean 'val_loss'?)", e.Message);
        Assert.Contains("phases[0].lr_schedule.name: unknown schedule 'zzz' (known: constant, cosine,", e.Message);
    }

    [Fact]
    public void OverridesApplyAndAreValidatedWithTheirSource()
    {
        var r = RecipeLoader.Load("fashion-mnist", new[] { "optimizer.lr=0.05", "epochs=3", "model.width=8" });
        Assert.Equal(0.05, r.Optimizer.Lr);
        Assert.Equal(3, r.Epochs);
        Assert.Equal(8, r.Model.Width);
        var e = Assert.Throws<RegimenException>(() =>
            RecipeLoader.Load("fashion-mnist", new[] { "optimizer.momentun=0.5" }));
        Assert.Contains("--set optimizer.momentun=0.5: unknown key 'optimizer.momentun' (did you mean 'momentum'?)",
            e.Message);
        Assert.Throws<RegimenException>(() => RecipeLoader.Load("fashion-mnist", new[] { "epochs" }));
    }

    [Fact]
    public void OverridesReachListItemsByIndex()
    {
        var r = RecipeLoader.Load("fashion-mnist-flawed", new[] { "phases[1].augment=true", "optimizer.lr=0.1" });
        Assert.True(r.Phases[1].Augment);
        Assert.Equal(0.1, r.Optimizer.Lr);
        var e = Assert.Throws<RegimenException>(() => RecipeLoader.Load("fashion-mnist-flawed",
            new[] { "phases[5].augment=true" }));
        Assert.Contains("--set phases[5].augment=true", e.Message);
        Assert.Contains("has 2 items", e.Message);
    }

    [Fact]
    public void UnknownRecipeNameIsExplained()
    {
        var e = Assert.Throws<RegimenException>(() => RecipeLoader.Load("fashion-mnsit"));
        Assert.Contains("did you mean 'fashion-mnist'", e.Message);
    }
}
