using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Sessions;
using Regimen.Training;

namespace Regimen.Tests;

/// <summary>train --resume RUN --extend N: the schedule as it was, then a tail from the current rate.</summary>
public class ExtendTests
{
    static readonly Lazy<string> data = new(() =>
        TestData.WriteIdxDataset(TestData.TempDir("extend-data"), trainCount: 256, testCount: 100));

    const int Steps = 8;   // 256 images in batches of 32

    static TrainingOutcome Train(string dir, int epochs = 2, string[]? overrides = null) =>
        TrainingRunner.Start(new TrainingRequest
        {
            Recipe = RecipeLoader.Parse(TestData.TinyRecipe(epochs), "tiny.yaml", overrides),
            OutputDirectory = dir, DataDirectory = data.Value,
        });

    static TrainingOutcome Extend(string dir, int epochs, string tail = "cosine", StopRequest? stop = null,
        IReadOnlyList<TrainingCallback>? callbacks = null) =>
        TrainingRunner.Resume(dir, data.Value, callbacks ?? [], stop: stop, extend: new ExtendRequest(epochs, tail));

    /// <summary>Asks for a stop after a given batch of an epoch, as the Ctrl-C handler does.</summary>
    sealed class RequestAt(StopRequest stop, int epoch, int batch) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, BatchResult result)
        {
            if (result.Epoch == epoch && result.Batch == batch) stop.Request("interrupted by the user (Ctrl-C)");
        }
    }

    static double Rate(PhasePlan plan, int epoch, int step) => plan.At(epoch).Schedule.At(epoch, step, Steps);

    [Fact]
    public void AnExtendKeepsTheTrainedEpochsAndContinuesTheRateAtTheSeam()
    {
        string[] floor = ["lr_schedule.min_lr=0.01"];
        var dir = TestData.TempDir("extend-run");
        var trained = Train(dir, overrides: floor);
        var before = TestData.MetricsWithoutTiming(trained.Run);
        var plannedPlan = new PhasePlan(RecipeLoader.Load(trained.Run.RecipeFile), 28);

        var extended = Extend(dir, 3);
        Assert.Equal("completed", extended.Summary.Status);
        Assert.Equal(5, extended.Metrics.Count);
        Assert.Equal(before, TestData.MetricsWithoutTiming(extended.Run)[..3]);   // header and the two trained epochs

        var recipe = RecipeLoader.Load(extended.Run.RecipeFile);
        var x = Assert.Single(recipe.Extensions);
        Assert.Equal((2, 3, 2, "cosine", true), (x.FromEpoch, x.Epochs, x.PlannedEpochs, x.Tail, x.PerStep));
        Assert.Equal(5, recipe.Epochs);
        var plan = new PhasePlan(recipe, 28);
        // The trained epochs keep their rates to the last bit; the tail starts at the last step's rate and falls
        // without a jump to the schedule's floor.
        for (int e = 0; e < 2; e++)
            for (int step = 0; step < Steps; step++) Assert.Equal(Rate(plannedPlan, e, step), Rate(plan, e, step));
        Assert.Equal(Rate(plannedPlan, 1, Steps - 1), x.FromLr);
        Assert.Equal(x.FromLr, Rate(plan, 2, 0));
        Assert.Equal(0.01, x.ToLr);
        var tail = Enumerable.Range(2 * Steps, 3 * Steps).Select(t => Rate(plan, t / Steps, t % Steps)).ToList();
        Assert.All(tail.Zip(tail.Skip(1)), p => Assert.True(p.Second < p.First, $"{p.Second} after {p.First}"));
        Assert.True(tail[^1] > 0.01 && tail[^1] - 0.01 < 0.001, $"{tail[^1]}");
        Assert.Equal(x.FromLr, extended.Metrics[2].LearningRate, 6);

        // Recorded: the decision (kept by later resumes), the schedule change at the seam, summary.json.
        var events = RunEvent.ReadAll(extended.Run.EventsFile);
        var decision = Assert.Single(events, e => e is { Kind: "schedule", Key: "epochs" });
        Assert.Equal((2, "2", "5"), (decision.Epoch, decision.From, decision.To));
        Assert.Contains("--extend 3: epochs 2-4 follow a cosine tail of the learning rate", decision.Message);
        var change = Assert.Single(events, e => e is { Kind: "schedule", Key: "lr_schedule" });
        Assert.Equal((2, "cosine"), (change.Epoch, change.From));
        Assert.StartsWith("cosine tail ", change.To);
        var summary = Assert.Single(extended.Summary.Extensions!);
        Assert.Equal((2, 3), (summary.FromEpoch, summary.Epochs));
        Assert.Equal(5, extended.Summary.EpochsPlanned);

        // The simulation of the run's recipe.yaml sees the same function.
        var simulated = ScheduleSimulation.Run(recipe, Steps, 28);
        Assert.Equal(5, simulated.Count);
        Assert.Equal((Rate(plan, 3, 0), Rate(plan, 3, Steps - 1)), (simulated[3].LrFirst, simulated[3].LrLast));
    }

    [Fact]
    public void AnExtendStoppedAndResumedEndsAsAnUninterruptedExtend()
    {
        string[] linear = ["lr_schedule.name=linear", "lr_schedule.min_lr=0.02", "ema.enabled=true"];
        var whole = TestData.TempDir("extend-whole");
        Train(whole, overrides: linear);
        var uninterrupted = Extend(whole, 2, tail: "linear");

        var dir = TestData.TempDir("extend-stopped");
        Train(dir, overrides: linear);
        var stop = new StopRequest();
        var stopped = Extend(dir, 2, tail: "linear", stop: stop, callbacks: [new RequestAt(stop, epoch: 3, batch: 4)]);
        Assert.True(stopped.Interrupted);
        Assert.Equal(3, stopped.Interruption!.Epoch);
        Assert.Equal(4, stopped.Interruption.Progress!.Batch);
        // Resumed without --extend: the extension is in the run's record, and it is not applied twice.
        var resumed = TrainingRunner.Resume(dir, data.Value, []);
        Assert.Equal("completed", resumed.Summary.Status);
        Assert.Equal(TestData.MetricsWithoutTiming(uninterrupted.Run), TestData.MetricsWithoutTiming(resumed.Run));
        Assert.Single(RecipeLoader.Load(resumed.Run.RecipeFile).Extensions);
        Assert.Single(RunEvent.ReadAll(resumed.Run.EventsFile), e => e is { Kind: "schedule", Key: "epochs" });
    }

    [Fact]
    public void ARunStoppedEarlyIsExtendedFromWhereItStopped()
    {
        // Early stopping that cannot be satisfied stops after epoch 1 of 6, mid-cosine.
        string[] early = ["early_stopping.enabled=true", "early_stopping.monitor=val_acc", "early_stopping.patience=1",
            "early_stopping.min_delta=0.9"];
        var dir = TestData.TempDir("extend-early");
        var trained = Train(dir, epochs: 6, overrides: early);
        Assert.Equal(("stopped", 2), (trained.Summary.Status, trained.Metrics.Count));
        var plannedPlan = new PhasePlan(RecipeLoader.Load(trained.Run.RecipeFile), 28);

        var extended = Extend(dir, 2);
        var x = Assert.Single(RecipeLoader.Load(extended.Run.RecipeFile).Extensions);
        Assert.Equal((2, 6, 4), (x.FromEpoch, x.PlannedEpochs, RecipeLoader.Load(extended.Run.RecipeFile).Epochs));
        Assert.Equal(Rate(plannedPlan, 1, Steps - 1), x.FromLr);
        Assert.True(x.FromLr > 0.1, $"{x.FromLr}");   // mid-schedule: the tail starts high, not at the end's rate
        Assert.Equal(0, x.ToLr);
        // Early stopping keeps watching with the patience it had used up: the first epoch that does not improve stops.
        Assert.Equal(("stopped", 3), (extended.Summary.Status, extended.Metrics.Count));
    }

    [Fact]
    public void ResumeRefusesAnotherLengthAndNamesExtend()
    {
        var dir = TestData.TempDir("extend-refused");
        Train(dir);
        var e = Assert.Throws<RegimenException>(() => TrainingRunner.Resume(dir, data.Value, [], epochs: 5));
        Assert.Contains("--epochs 5: ", e.Message);
        Assert.Contains("keeps the schedule it started with; --extend 3 trains 3 more epochs", e.Message);
        e = Assert.Throws<RegimenException>(() => TrainingRunner.Resume(dir, data.Value, [], epochs: 1));
        Assert.Contains("--extend N adds epochs", e.Message);
        e = Assert.Throws<RegimenException>(() => TrainingRunner.Resume(dir, data.Value, []));
        Assert.Contains("already trained all 2 epochs (--extend N trains N more", e.Message);
        e = Assert.Throws<RegimenException>(() => Extend(dir, 0));
        Assert.Contains("--extend 0: must be at least 1", e.Message);
        e = Assert.Throws<RegimenException>(() => Extend(dir, 2, tail: "cosin"));
        Assert.Contains("--tail cosin: must be cosine or linear (did you mean 'cosine'?)", e.Message);

        // recipe.yaml's epochs edited by hand is a recipe change like any other.
        var file = Path.Combine(dir, "recipe.yaml");
        var recipe = File.ReadAllText(file);
        File.WriteAllText(file, recipe.Replace("epochs: 2\n", "epochs: 9\n"));
        e = Assert.Throws<RegimenException>(() => TrainingRunner.Resume(dir, data.Value, []));
        Assert.Contains("epochs: 2 → 9", e.Message);
        File.WriteAllText(file, recipe);

        // The same epochs as the run's are no change; an extended recipe's epochs are its extensions'.
        Assert.Equal(3, Extend(dir, 1).Metrics.Count);
        Assert.Throws<RegimenException>(() => TrainingRunner.Resume(dir, data.Value, [], epochs: 3));
        File.WriteAllText(file, File.ReadAllText(file).Replace("epochs: 3\n", "epochs: 9\n"));
        e = Assert.Throws<RegimenException>(() => TrainingRunner.Resume(dir, data.Value, []));
        Assert.Contains("epochs: an extended recipe ends where its last extension does (3), got 9", e.Message);
    }

    [Fact]
    public void TheCommandLineRefusesExtendWithoutResumeAndTailWithoutExtend()
    {
        var (code, output) = CliTests.Run("train", "--extend", "2");
        Assert.Equal(2, code);
        Assert.Contains("--extend N lengthens a trained run: give it with --resume RUN", output);
        (code, output) = CliTests.Run("train", "--resume", TestData.TempDir("extend-cli"), "--tail", "linear");
        Assert.Equal(2, code);
        Assert.Contains("--tail shapes an --extend: give --extend N too", output);
    }

    [Fact]
    public void AnExtensionThatDoesNotFitTheRecipeIsRefusedWithItsKey()
    {
        var yaml = TestData.TinyRecipe(5) + """

            extensions:
              - from_epoch: 2
                epochs: 2
                planned_epochs: 2
                tail: step
                from_lr: 0.1
                to_lr: 0
            """;
        var e = Assert.Throws<RegimenException>(() => RecipeLoader.Parse(yaml, "x.yaml"));
        Assert.Contains("extensions[0].tail: must be cosine or linear, got 'step'", e.Message);
        Assert.Contains("epochs: an extended recipe ends where its last extension does (4), got 5", e.Message);
    }

    [Fact]
    public void UnitsExactWritesEveryDigitInPlainDecimals()
    {
        Assert.Equal("0.00000114", Units.Exact(1.14e-6));
        Assert.Equal("0.1", Units.Exact(0.1));
        Assert.Equal("-0.0005", Units.Exact(-5e-4));
        Assert.Equal("200000000000000000000", Units.Exact(2e20));
        Assert.Equal("0.30000000000000004", Units.Exact(0.1 + 0.2));
        foreach (var v in new[] { 1.14e-6, 3.3333333333e-9, 0.123456789012345, 12345.678 })
            Assert.Equal(v, double.Parse(Units.Exact(v), System.Globalization.CultureInfo.InvariantCulture));
    }
}
