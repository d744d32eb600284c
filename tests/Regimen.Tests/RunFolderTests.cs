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
            Recipe = recipe, OutputDirectory = path,
            DataDirectory = Path.Combine(TestData.TempDir("runfolder-nodata"), "absent"),
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

/// <summary>--resume continues the recipe the run was trained with, or says what was edited.</summary>
public class ResumeChangesTests
{
    [Fact]
    public void AnEditedRecipeIsRefusedOnResumeWithTheKeysNamedUnlessAllowed()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("resume-edit-data"), trainCount: 64, testCount: 20);
        var recipe = Path.Combine(TestData.TempDir("resume-edit-recipe"), "tiny.yaml");
        File.WriteAllText(recipe, TestData.TinyRecipe(epochs: 2));
        var run = Path.Combine(TestData.TempDir("resume-edit-run"), "run");
        var (code, output) = CliTests.Run("train", recipe, "--data", data, "--out", run, "--epochs", "1");
        Assert.True(code == 0, output);
        var saved = Path.Combine(run, "recipe.yaml");
        var text = File.ReadAllText(saved);
        Assert.Contains("seed: 7", text);
        File.WriteAllText(saved, text.Replace("seed: 7", "seed: 8"));

        (code, output) = CliTests.Run("train", "--resume", run, "--data", data, "--extend", "1");
        Assert.Equal(2, code);
        Assert.Contains("differs from the recipe the run's checkpoint was trained with: seed: 7 → 8", output);
        Assert.Contains("--allow-changes", output);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);   // nothing trained

        (code, output) = CliTests.Run("train", "--resume", run, "--data", data, "--extend", "1", "--allow-changes");
        Assert.True(code == 0, output);
        Assert.Contains(RunEvent.ReadAll(Path.Combine(run, "events.jsonl")),
            e => e.Kind == "recipe_change" && e.Message!.Contains("seed: 7 → 8"));
    }
}
