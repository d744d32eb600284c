using System.Diagnostics;
using System.Text.Json;

namespace Regimen.Tests;

/// <summary>The command line as a user runs it: a separate process, its output and its exit code.</summary>
public class CliTests
{
    static readonly Lazy<string> data = new(() => TestData.WriteIdxDataset(TestData.TempDir("cli-data"),
        trainCount: 128, testCount: 50));

    internal static (int Code, string Output) Run(params string[] args) =>
        RunWith(new Dictionary<string, string>(), args);

    internal static (int Code, string Output) RunWith(IDictionary<string, string> environment, params string[] args)
    {
        var start = CliProcess.StartInfo(args);
        start.Environment["COLUMNS"] = "200";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(300_000)) { process.Kill(true); throw new TimeoutException(string.Join(" ", args)); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    static string RecipeFile(int epochs = 1)
    {
        var path = Path.Combine(TestData.TempDir("cli-recipe"), "tiny.yaml");
        File.WriteAllText(path, TestData.TinyRecipe(epochs));
        return path;
    }

    [Fact]
    public void TrainResumeAndEvaluateFromTheCommandLine()
    {
        var outDir = Path.Combine(TestData.TempDir("cli-run"), "run");
        var (code, output) = Run("train", RecipeFile(epochs: 2), "--data", data.Value, "--out", outDir,
            "--epochs", "1");
        Assert.True(code == 0, output);
        Assert.Contains("epoch 0", output);          // plain progress lines: the output is not a terminal
        Assert.Contains("completed", output);
        // The tiny recipe validates on the test split: said before and after, and the test score labelled.
        Assert.Contains("128 train / 50 validation (the test split) images", output);
        Assert.Equal(2, output.Split("warning: data.validation: test").Length - 1);
        Assert.Contains("test (50 images, scored once at the end): final (epoch 0)", output);

        (code, output) = Run("train", "--resume", outDir, "--data", data.Value, "--epochs", "2");
        Assert.True(code == 2, output);   // the length is an --extend's, not a silently new schedule
        Assert.Contains("--extend 1 trains 1 more epochs", output);
        (code, output) = Run("train", "--resume", outDir, "--data", data.Value, "--extend", "1");
        Assert.True(code == 0, output);
        Assert.Contains("from epoch 1", output);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(outDir, "metrics.csv")).Length);

        (code, output) = Run("evaluate", outDir, "--data", data.Value, "--tta", "--json");
        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(50, json.RootElement.GetProperty("images").GetInt32());
        Assert.Equal(10, json.RootElement.GetProperty("per_class").GetArrayLength());
        Assert.True(json.RootElement.TryGetProperty("accuracy_tta", out _));

        (code, output) = Run("evaluate", outDir, "--data", data.Value);
        Assert.True(code == 0, output);
        Assert.Contains("Confusion matrix", output);
        Assert.Contains("Most confused", output);
    }

    [Fact]
    public void ABadRecipeExitsWithCode2AndNamesTheKey()
    {
        var path = Path.Combine(TestData.TempDir("cli-bad"), "bad.yaml");
        File.WriteAllText(path, "epochs: 2\noptimizer:\n  lr: fast\n");
        var (code, output) = Run("train", path, "--data", data.Value);
        Assert.Equal(2, code);
        Assert.Contains($"{path}:3:7: optimizer.lr: expected a number, found 'fast'", output);
        Assert.DoesNotContain("   at ", output); // a message, not a stack trace
    }

    [Fact]
    public void MissingDataExitsWithCode3AndTheInstallCommand()
    {
        var (code, output) = Run("train", RecipeFile(), "--data", Path.Combine(TestData.TempDir("cli-nodata"),
            "absent"), "--out", TestData.TempDir("cli-out"), "--force");
        Assert.Equal(3, code);
        Assert.Contains("apt-get install dataset-fashion-mnist", output);
    }

    [Fact]
    public void AnExistingOutputFolderIsRefused()
    {
        var outDir = TestData.TempDir("cli-exists");
        File.WriteAllText(Path.Combine(outDir, "metrics.csv"), "precious");
        var (code, output) = Run("train", RecipeFile(), "--data", data.Value, "--out", outDir);
        Assert.Equal(2, code);
        Assert.Contains("--force", output);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outDir, "metrics.csv")));
    }

    [Fact]
    public void EvolveAndLedgerRefuseBadInputBeforeWritingAnything()
    {
        var workspace = Path.Combine(TestData.TempDir("cli-evolve"), "ws");
        var (code, output) = Run("evolve", RecipeFile(), "--workspace", workspace, "--launcher", "k8s");
        Assert.True(code == 2, output);
        Assert.Contains("--launcher k8s: expected process or slurm", output);
        Assert.False(Directory.Exists(workspace));
        (code, output) = Run("evolve", RecipeFile(), "--workspace", workspace, "--folds", "1");
        Assert.True(code == 2, output);
        Assert.Contains("--folds 1", output);
        Assert.False(Directory.Exists(workspace));
        (code, output) = Run("evolve");
        Assert.True(code == 2, output);
        Assert.Contains("give a RECIPE", output);
        var notAWorkspace = TestData.TempDir("cli-evolve-not-a-workspace");
        (code, output) = Run("evolve", "--workspace", notAWorkspace);
        Assert.True(code == 2, output);
        Assert.Contains($"--workspace {notAWorkspace}: not an evolve workspace (no evolve.json)", output);
        (code, output) = Run("ledger", workspace);
        Assert.True(code == 2, output);
        Assert.Contains("not an evolve workspace", output);
    }

    [Fact]
    public void NativeMemoryIsTunedUnlessTheUserAsksForTheDefaults()
    {
        var tuned = Path.Combine(TestData.TempDir("cli-memory"), "tuned");
        var (code, output) = Run("train", RecipeFile(), "--data", data.Value, "--out", tuned);
        Assert.True(code == 0, output);
        Assert.Equal("tuned",
            Regimen.Runs.RunSummary.Read(Path.Combine(tuned, "summary.json"))!.Environment.NativeMemory);
        var plain = Path.Combine(TestData.TempDir("cli-memory"), "default");
        (code, output) = RunWith(new Dictionary<string, string> { ["REGIMEN_NATIVE_MEMORY"] = "default" },
            "train", RecipeFile(), "--data", data.Value, "--out", plain);
        Assert.True(code == 0, output);
        Assert.Equal("default",
            Regimen.Runs.RunSummary.Read(Path.Combine(plain, "summary.json"))!.Environment.NativeMemory);
    }

    [Fact]
    public void ADivergingRunStopsWithCode4AndSaysWhy()
    {
        var outDir = Path.Combine(TestData.TempDir("cli-nan"), "run");
        var (code, output) = Run("train", RecipeFile(), "--data", data.Value, "--out", outDir, "--set",
            "optimizer.lr=1e30", "--set", "lr_schedule.warmup_epochs=0");
        Assert.True(code == 4, output);
        Assert.Contains("Training diverged", output);
        Assert.Contains("\"status\": \"diverged\"", File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Contains("\"kind\":\"diverged\"", File.ReadAllText(Path.Combine(outDir, "events.jsonl")));
    }

    [Fact]
    public void AnUnwritableOutputFolderIsRefusedClearly()
    {
        var (code, output) = Run("train", RecipeFile(), "--data", data.Value, "--out", "/proc/regimen-run");
        Assert.Equal(2, code);
        Assert.Contains("--out /proc/regimen-run: cannot write in /proc", output);
    }

    [Fact]
    public void RecipesShowPrintsYamlThatTrainAccepts()
    {
        var (code, output) = Run("recipes", "show", "fashion-mnist");
        Assert.Equal(0, code);
        var path = Path.Combine(TestData.TempDir("cli-show"), "shown.yaml");
        File.WriteAllText(path, output);
        Assert.Equal("fashion-mnist", Regimen.Recipes.RecipeLoader.Load(path).Name);
        (code, output) = Run("recipes", "list");
        Assert.Equal(0, code);
        Assert.Contains("fashion-mnist", output);
    }

    [Fact]
    public void RecommendationPatchesAndPrintedRecipesCarryPlainDecimals()
    {
        // Seed 004's fix lowers the backbone's learning rate 5x, 1e-4 → 2e-5.
        var (code, output) = Run("analyze", AnalystTests.Fixture("seed004-evolver-loop2"));
        Assert.True(code == 0, output);
        Assert.Contains("finetune.backbone_lr=0.00002", output);
        Assert.DoesNotMatch(@"\dE[-+]?\d", output);
        (code, output) = Run("recipes", "patch", "fashion-mnist", "--set", "optimizer.lr=0.00002",
            "--set", "optimizer.eps=1e-8");
        Assert.True(code == 0, output);
        Assert.Contains("  lr: 0.00002\n", output);
        Assert.Contains("  eps: 0.00000001\n", output);
        Assert.DoesNotMatch(@"\dE[-+]?\d", output);
        // ...and reads back to the same numbers.
        var recipe = Regimen.Recipes.RecipeLoader.Parse(output, "printed");
        Assert.Equal((2e-5, 1e-8), (recipe.Optimizer.Lr, recipe.Optimizer.Eps));
    }

    [Fact]
    public void ModelsListsTheRegistry()
    {
        var (code, output) = Run("models");
        Assert.Equal(0, code);
        Assert.Contains("wrn28_10", output);
        Assert.Contains("resnet50", output);
    }
}
