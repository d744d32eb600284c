using Regimen.Analysis;
using Regimen.Recipes;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

public class RecipePatchTests
{
    [Fact]
    public void TheSeed001AnalysisPatchesTheV1RecipeIntoSeed001sFix()
    {
        var analysis = Analyst.Analyze(Assert.Single(LogReader.Read(AnalystTests.Fixture("seed001-fixres-v1"))));
        var patch = analysis.Recommendations.SelectMany(r => r.Patch).ToDictionary(kv => kv.Key, kv => kv.Value);
        var v1 = RecipeLoader.Load("imagenet-resnet50-fixres-v1");
        var patched = RecipePatch.Apply(v1, patch);
        Assert.True(patched.Phases[2].Augment);
        Assert.Equal(5e-4, patched.Optimizer.WeightDecay);
        Assert.Equal((0.4, 1.0), (patched.Mixup.MixupAlpha, patched.Mixup.CutmixAlpha));
        Assert.False(v1.Phases[2].Augment);                       // the original is untouched
        Assert.True(new Training.PhasePlan(patched, 288).At(55).Augment);
    }

    [Fact]
    public void BadPatchesAreExplained()
    {
        var r = RecipeLoader.Load("fashion-mnist");
        Assert.Contains("'phases' has 0 items, no item 0",
            Assert.Throws<RegimenException>(() =>
            RecipePatch.Apply(r, new Dictionary<string, string> { ["phases[0].augment"] = "true" })).Message);
        var e = Assert.Throws<RegimenException>(() =>
            RecipePatch.Apply(r, new Dictionary<string, string> { ["optimizer.lr"] = "-1" }));
        Assert.Contains("optimizer.lr: must be positive", e.Message);
        e = Assert.Throws<RegimenException>(() =>
            RecipePatch.Apply(r, new Dictionary<string, string> { ["optimiser.lr"] = "0.1" }));
        Assert.Contains("did you mean 'optimizer'", e.Message);
    }
}
