using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Sessions;

namespace Regimen.Tests;

/// <summary>A run folder exists only for a training that could start, and default names never collide.</summary>
public class RunFolderTests
{
    [Fact]
    public void ATrainingThatCannotStartLeavesNoFolder()
    {
        var path = Path.Combine(TestData.TempDir("runfolder-fail"), "run");
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(epochs: 1), "tiny.yaml");
        var e = Assert.Throws<RegimenException>(() => TrainingRunner.Start(new TrainingRequest
        {
            Recipe = recipe, OutputDirectory = path, DataDirectory = Path.Combine(TestData.TempDir("runfolder-nodata"), "absent"),
        }));
        Assert.Equal(ExitCodes.DataMissing, e.ExitCode);
        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void DefaultRunFoldersStartedInTheSameSecondGetDistinctNames()
    {
        var root = TestData.TempDir("runfolder-root");
        var names = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, _ => names.Add(RunDirectory.CreateDefault("tiny", root).Path));
        Assert.Equal(8, names.Distinct().Count());
        Assert.All(names, n => Assert.True(Directory.Exists(Path.Combine(n, "checkpoints")), n));
        Assert.All(names, n => Assert.Matches(@"\d{8}-\d{6}-tiny(-\d+)?$", n));
    }
}
