using System.Text.Json;
using Regimen.Evolve;
using Regimen.Models;
using Regimen.Recipes;
using Regimen.Sessions;
using Regimen.Training;
using Monitor = Regimen.Training.Monitor;

namespace Regimen.Tests;

public class MonitorTests
{
    [Fact]
    public void LossesFallAccuraciesRiseAndEachReadsItsColumn()
    {
        var r = new EpochResult
        {
            ValAccuracy = 0.8, ValLoss = 0.5, TrainLoss = 0.4, TrainAccuracy = 0.9,
            ValTop5 = 0.99, ValLossEma = 0.45
        };
        Assert.Equal(new[] { "val_acc", "val_loss", "val_acc_tta", "val_acc_ema", "val_loss_ema", "val_top5",
            "train_loss", "train_acc" },
            Monitor.Known.Select(m => m.Name));
        Assert.Equal(new[] { "val_loss", "val_loss_ema", "train_loss" }, Monitor.Known.Where(m => !m.HigherIsBetter)
            .Select(m => m.Name));
        Assert.Equal(new double?[] { 0.8, 0.5, null, null, 0.45, 0.99, 0.4, 0.9 },
            Monitor.Known.Select(m => m.Read(r)));
        Assert.True(Monitor.ValLoss.IsBetter(0.4, 0.5));
        Assert.False(Monitor.ValAccuracy.IsBetter(0.4, 0.5));
        Assert.True(Monitor.ValAccuracy.IsBetter(0.4, null));
        Assert.Equal(("93.26 %", "0.1234"), (Monitor.ValAccuracy.Format(0.9326), Monitor.ValLoss.Format(0.12344)));
    }

    [Fact]
    public void TheBestEpochIsTheFirstOfEqualsAndEpochsWithoutTheValueDoNotCount()
    {
        var rows = new[]
        {
            new EpochResult { Epoch = 0, ValLoss = 0.7, ValAccuracy = 0.6 },
            new EpochResult { Epoch = 1, ValLoss = 0.5, ValAccuracy = 0.7, ValAccuracyTta = 0.71 },
            new EpochResult { Epoch = 2, ValLoss = 0.5, ValAccuracy = 0.7 },
            new EpochResult { Epoch = 3, ValLoss = 0.6, ValAccuracy = 0.65, ValAccuracyTta = 0.7 },
        };
        Assert.Equal(1, Monitor.ValLoss.Best(rows)!.Epoch);
        Assert.Equal(1, Monitor.ValAccuracy.Best(rows)!.Epoch);
        Assert.Equal(1, Monitor.ValAccuracyTta.Best(rows)!.Epoch);
        Assert.Null(Monitor.ValAccuracyEma.Best(rows));
    }

    [Fact]
    public void AnUnknownNameIsAnErrorWithTheClosestKnownOne()
    {
        Assert.Null(Monitor.Check("val_loss"));
        Assert.Equal("unknown metric 'val_accuracy' (did you mean 'val_acc'?)", Monitor.Check("val_accuracy"));
        var e = Assert.Throws<RegimenException>(() => Monitor.Get("val_los"));
        Assert.Contains("did you mean 'val_loss'", e.Message);
    }

    [Theory]
    [InlineData("eval_macro_f1", true)]
    [InlineData("valid_loss", false)]
    [InlineData("top1_err", false)]
    [InlineData("val_perplexity", false)]
    [InlineData("val_auc", true)]
    public void AnotherToolsMetricTakesItsDirectionFromItsName(string name, bool higherIsBetter)
    {
        var m = Monitor.Named(name);
        Assert.Equal((name, higherIsBetter), (m.Name, m.HigherIsBetter));
        Assert.Null(m.Read(new EpochResult { ValAccuracy = 1 }));
        Assert.Same(Monitor.ValLoss, Monitor.Named("val_loss"));
    }

    [Fact]
    public void EvolveCallsItMonitorAndStillReadsOldWorkspacesThatSaidMetric()
    {
        var json = new EvolveSettings { Monitor = "val_loss" }.ToJson();
        Assert.Contains("\"monitor\": \"val_loss\"", json);
        Assert.DoesNotContain("\"metric\"", json);
        var old = JsonSerializer.Deserialize<EvolveSettings>("{\"metric\": \"val_loss\", \"budget\": 3}")!;
        Assert.Equal(("val_loss", 3, false), (old.Monitor, old.Budget, old.HigherIsBetter));
        var e = Assert.Throws<RegimenException>(() =>
            new EvolveSettings { Monitor = "val_loss_ema" }.Validate(RecipeLoader.Load("fashion-mnist")));
        Assert.Contains("--monitor val_loss_ema: 'val_loss_ema' is only recorded with ema.enabled: true", e.Message);
    }

    [Fact]
    public void AnalyzeTakesMonitorAndItsOldNameMetric()
    {
        var run = AnalystTests.Fixture("seed002-session02");
        var (code, monitor) = CliTests.Run("analyze", run, "--monitor", "val_loss", "--json");
        Assert.True(code == 0, monitor);
        Assert.Equal("val_loss", JsonDocument.Parse(monitor).RootElement.GetProperty("monitor").GetString());
        var (oldCode, metric) = CliTests.Run("analyze", run, "--metric", "val_loss", "--json");
        Assert.True(oldCode == 0, metric);
        Assert.Equal(JsonDocument.Parse(monitor).RootElement.GetProperty("findings").GetRawText(),
            JsonDocument.Parse(metric).RootElement.GetProperty("findings").GetRawText());
        var (bad, message) = CliTests.Run("compare", run, run, "--monitor", "val_accuracy");
        Assert.NotEqual(0, bad);
        Assert.Contains("--monitor val_accuracy: ", message);
        Assert.Contains("have no such series (did you mean 'val_acc'?)", message);
    }

    /// <summary>A Regimen run folder with three epochs of metrics.csv, the EMA metrics recorded.</summary>
    static string RecordedRun(string name, double accuracy, double emaLoss)
    {
        var dir = TestData.TempDir(name);
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), $"name: {name}\nepochs: 3\n");
        var rows = Enumerable.Range(0, 3).Select(e => Regimen.Runs.MetricsCsv.Row(new EpochResult
        {
            Epoch = e, Phase = "main", LearningRate = 0.1, Resolution = 28, TrainLoss = 1 - 0.1 * e,
            TrainAccuracy = accuracy + 0.01 * e, ValLoss = 1 - 0.1 * e, ValAccuracy = accuracy + 0.01 * e,
            ValLossEma = emaLoss - 0.01 * e, ValAccuracyEma = accuracy + 0.02 * e,
        }));
        File.WriteAllText(Path.Combine(dir, "metrics.csv"), Regimen.Runs.MetricsCsv.Header + "\n" +
            string.Join("\n", rows) + "\n");
        return dir;
    }

    [Fact]
    public void CompareAndAnalyzeJudgeAnyRecordedSeriesInItsOwnDirection()
    {
        // a scores higher on val_acc; b has the lower (better) val_loss_ema.
        string a = RecordedRun("monitor-a", 0.8, 0.9), b = RecordedRun("monitor-b", 0.7, 0.5);
        string Winner(JsonElement c) => c.GetProperty("criteria").EnumerateArray()
            .First(k => k.GetProperty("criterion").GetString()!.StartsWith("best", StringComparison.Ordinal))
            .GetProperty("winner").GetString()!;
        var (code, json) = CliTests.Run("compare", a, b, "--json");
        Assert.True(code == 0, json);
        Assert.Equal(Path.GetFileName(a), Winner(JsonDocument.Parse(json).RootElement));
        (code, json) = CliTests.Run("compare", a, b, "--monitor", "val_loss_ema", "--json");
        Assert.True(code == 0, json);
        var loss = JsonDocument.Parse(json).RootElement;
        Assert.Equal("val_loss_ema", loss.GetProperty("monitor").GetString());
        Assert.Equal(Path.GetFileName(b), Winner(loss));                              // lower is better for a loss
        (code, json) = CliTests.Run("analyze", a, "--monitor", "val_acc_ema", "--json");
        Assert.True(code == 0, json);
        var analysis = JsonDocument.Parse(json).RootElement;
        Assert.Equal(("val_acc_ema", 2, 0.84), (analysis.GetProperty("monitor").GetString(),
            analysis.GetProperty("best_epoch").GetInt32(),
            Math.Round(analysis.GetProperty("best_value").GetDouble(), 6)));

        var (typo, typoMessage) = CliTests.Run("compare", a, b, "--monitor", "val_lss_ema");
        Assert.NotEqual(0, typo);
        Assert.Contains("did you mean 'val_loss_ema'?", typoMessage);
        var (none, noneMessage) = CliTests.Run("compare", a, b, "--monitor", "val_top5");
        Assert.NotEqual(0, none);
        Assert.Contains($"--monitor val_top5: {Path.GetFileName(a)} ({a}), {Path.GetFileName(b)} ({b}) have no such " +
            "series", noneMessage);
        Assert.DoesNotContain("   at ", noneMessage);                                      // no stack trace
    }

    [Fact]
    public void EvolveScoresOnAnyMetricARunRecordsAndRefusesOthersBeforeItStarts()
    {
        var workspace = Path.Combine(TestData.TempDir("evolve-monitor"), "ws");
        var (code, message) = CliTests.Run("evolve", "fashion-mnist", "--workspace", workspace, "--monitor",
            "val_accuracy");
        Assert.NotEqual(0, code);
        Assert.Contains("--monitor val_accuracy: unknown metric 'val_accuracy' (did you mean 'val_acc'?)", message);
        (code, message) = CliTests.Run("evolve", "fashion-mnist", "--workspace", workspace, "--monitor",
            "val_acc_ema");
        Assert.NotEqual(0, code);
        Assert.Contains("--monitor val_acc_ema: 'val_acc_ema' is only recorded with ema.enabled: true", message);
        Assert.False(Directory.Exists(workspace), "nothing is created for refused settings");
        var settings = new EvolveSettings { Monitor = "val_top5" };
        settings.Validate(RecipeLoader.Load("fashion-mnist"));                        // a metric every run records
        Assert.True(settings.HigherIsBetter);
        Assert.False(new EvolveSettings { Monitor = "train_loss" }.HigherIsBetter);
    }

    static readonly Lazy<string> data = new(() => TestData.WriteIdxDataset(TestData.TempDir("monitor-data"),
        trainCount: 128, testCount: 64));

    [Fact]
    public void EarlyStoppingWatchesInTheMonitorsOwnDirectionUnlessTheModeSaysOtherwise()
    {
        // val_acc rising every epoch: with mode auto it never stalls; said to be minimized, it stalls at once.
        string Stop(string mode)
        {
            var recipe = CheckedRecipes.Parse(TestData.TinyRecipe(5), "es.yaml",
                ["early_stopping.enabled=true", "early_stopping.monitor=val_acc",
                $"early_stopping.mode={mode}", "early_stopping.patience=1"]);
            using var setup = TrainingSetup.Create(recipe, data.Value);
            var context = new TrainingContext(setup, 0);
            var stopping = new EarlyStopping(recipe.EarlyStopping);
            for (int e = 0; e < 3 && context.StopReason is null; e++)
                stopping.OnEpochEnd(context, new EpochResult { Epoch = e, ValAccuracy = 0.5 + 0.1 * e, ValLoss = 1 });
            return context.StopReason ?? "";
        }
        Assert.Equal("", Stop("auto"));
        Assert.Equal("", Stop("max"));
        Assert.Contains("val_acc did not improve", Stop("min"));
        Assert.Equal("auto", new Recipe().EarlyStopping.Mode);
    }

    [Theory]
    [InlineData("evaluation.monitor=val_acc_ema", "evaluation.monitor: 'val_acc_ema' is only recorded with " +
        "ema.enabled: true")]
    [InlineData("evaluation.monitor=val_acc_tta", "evaluation.monitor: 'val_acc_tta' is only recorded with test-time " +
        "augmentation")]
    [InlineData("evaluation.monitor=val_accuracy", "evaluation.monitor: unknown metric 'val_accuracy' (did you mean " +
        "'val_acc'?)")]
    [InlineData("early_stopping.mode=maximum",
        "early_stopping.mode: must be auto (the monitor's direction), min or max")]
    public void AMonitorTheRunWouldNotRecordIsARecipeError(string setting, string message)
    {
        var yaml = TestData.TinyRecipe(2).Replace("  tta_flip: true", "  tta_flip: false");
        var e = Assert.Throws<RegimenException>(() => CheckedRecipes.Parse(yaml, "m.yaml", [setting]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void TheBestCheckpointAndTheSummaryFollowTheRecipesMonitor()
    {
        var recipe = CheckedRecipes.Parse(TestData.TinyRecipe(3), "ema.yaml",
            ["ema.enabled=true", "ema.decay=0.5", "evaluation.monitor=val_loss_ema"]);
        var outcome = TrainingRunner.Start(new TrainingRequest
        {
            Recipe = recipe,
            OutputDirectory = TestData.TempDir("monitor-run"), DataDirectory = data.Value
        });
        var best = outcome.Metrics.MinBy(r => r.ValLossEma)!;
        // summary.json records 7 significant digits (Units.Measured); metrics.csv keeps every digit.
        Assert.Equal(("val_loss_ema", best.Epoch, Units.Measured(best.ValLossEma!.Value)),
            (outcome.Summary.Monitor, outcome.Summary.BestEpoch, outcome.Summary.BestValue));
        Assert.Equal(Units.Measured(outcome.Metrics[^1].ValLossEma!.Value), outcome.Summary.FinalValue);
        var header = Checkpoint.ReadHeader(outcome.Run.BestCheckpoint);
        Assert.Equal((best.Epoch, "val_loss_ema"), (header.BestEpoch, header.Monitor));
    }
}
