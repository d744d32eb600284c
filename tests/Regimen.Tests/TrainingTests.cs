using Regimen.Analysis;
using Regimen.Models;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Sessions;
using Regimen.Training;

namespace Regimen.Tests;

public class TrainingTests
{
    static readonly Lazy<string> data = new(() => TestData.WriteIdxDataset(TestData.TempDir("train-data"),
        trainCount: 256, testCount: 100));

    static TrainingOutcome Train(string outDir, int epochs = 2, IReadOnlyList<TrainingCallback>? callbacks = null,
        string? recipeYaml = null) =>
        TrainingRunner.Start(new TrainingRequest
        {
            Recipe = RecipeLoader.Parse(recipeYaml ?? TestData.TinyRecipe(epochs), "tiny.yaml"),
            OutputDirectory = outDir,
            DataDirectory = data.Value,
            Callbacks = callbacks ?? Array.Empty<TrainingCallback>(),
        });

    /// <summary>metrics.csv without the timing columns, which are the only ones allowed to differ.</summary>
    static string[] MetricsWithoutTiming(RunDirectory run)
    {
        var lines = File.ReadAllLines(run.MetricsFile);
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => !MetricsCsv.TimingColumns.Contains(header[i]))
            .ToArray();
        return lines.Select(l => string.Join(",", keep.Select(i => l.Split(',')[i]))).ToArray();
    }

    [Fact]
    public void AFewRealStepsLowerTheLoss()
    {
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(epochs: 3), "tiny.yaml");
        using var setup = TrainingSetup.Create(recipe, data.Value);
        var before = Evaluator.Evaluate(setup.Model, setup.Validation, setup.Augment, 28, 100, flipTta: false);
        new Trainer(setup, Array.Empty<TrainingCallback>()).Fit();
        var after = Evaluator.Evaluate(setup.Model, setup.Validation, setup.Augment, 28, 100, flipTta: false);
        Assert.True(after.Loss < before.Loss * 0.8, $"loss {before.Loss:F3} -> {after.Loss:F3}");
        Assert.True(after.Accuracy > 0.3, $"accuracy {after.Accuracy:P1} (chance is 10 %)");
    }

    [Fact]
    public void ARunWritesItsRecords()
    {
        var outcome = Train(TestData.TempDir("run"));
        var run = outcome.Run;
        foreach (var f in new[] { run.RecipeFile, run.MetricsFile, run.EventsFile, run.SummaryFile, run.LastCheckpoint,
            run.BestCheckpoint })
            Assert.True(File.Exists(f), f);
        Assert.NotEmpty(Directory.GetFiles(run.TensorBoardDirectory, "events.out.tfevents*"));
        var header = File.ReadLines(run.MetricsFile).First();
        Assert.Equal(string.Join(",", MetricsCsv.Columns), header);
        var rows = MetricsCsv.Read(run.MetricsFile);
        Assert.Equal(new[] { 0, 1 }, rows.Select(r => r.Epoch));
        Assert.All(rows, r => Assert.NotNull(r.ValTop5));   // 10 classes: top-5 is recorded
        Assert.All(rows, r => Assert.NotNull(r.ValAccuracyTta));
        Assert.Equal("completed", outcome.Summary.Status);
        Assert.Equal(2, outcome.Summary.EpochsCompleted);
        Assert.Equal(rows.Max(r => r.ValAccuracy), outcome.Summary.BestValue);
        Assert.Equal(2, outcome.Summary.Environment.Cores > 0 ? 2 : 0);
        var events = RunEvent.ReadAll(run.EventsFile);
        Assert.Equal("start", events.First().Kind);
        Assert.Equal("end", events.Last().Kind);
        // The split sizes and the class count: the analyst's binomial noise and chance level.
        Assert.Equal(10, outcome.Summary.Classes);
        Assert.Contains($"{outcome.Summary.TrainSize} training images, {outcome.Summary.ValidationSize} validation " +
            $"images", events[0].Message);
        var log = Assert.Single(Runs.Readers.LogReader.Read(run.Path));
        Assert.Equal((outcome.Summary.ValidationSize, 10), (log.ValidationSize, log.Classes));
        // The recorded recipe loads back to the same recipe.
        Assert.Equal(File.ReadAllText(run.RecipeFile), RecipeLoader.ToYaml(RecipeLoader.Load(run.RecipeFile)));
    }

    [Fact]
    public void TwoRunsWithTheSameSeedGiveIdenticalMetrics()
    {
        var a = Train(TestData.TempDir("seed-a"));
        var b = Train(TestData.TempDir("seed-b"));
        Assert.Equal(MetricsWithoutTiming(a.Run), MetricsWithoutTiming(b.Run));
    }

    [Fact]
    public void BatchesPreparedOnAWorkerThreadEqualThosePreparedInTheLoop()
    {
        var inLoop = TrainingRunner.Start(new TrainingRequest
        {
            Recipe = RecipeLoader.Parse(TestData.TinyRecipe(2), "tiny.yaml", new[] { "data.workers=0" }),
            OutputDirectory = TestData.TempDir("workers-0"), DataDirectory = data.Value,
        });
        var worker = Train(TestData.TempDir("workers-1"));   // the default: one worker, prefetch 2
        Assert.Equal(1, RecipeLoader.Load(worker.Run.RecipeFile).Data.Workers);
        Assert.Equal(MetricsWithoutTiming(inLoop.Run), MetricsWithoutTiming(worker.Run));
    }

    sealed class Snapshots(TrainingSetup setup) : TrainingCallback
    {
        public List<TorchSharp.torch.Tensor> AfterBatch { get; } = new();
        public override void OnBatchEnd(TrainingContext context, BatchResult batch) =>
            // callbacks run inside the step's scope
            AfterBatch.Add(setup.Model.parameters().First().detach().clone().DetachFromDisposeScope());
    }

    [Fact]
    public void GradientAccumulationStepsTheOptimizerEveryKBatches()
    {
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(1), "tiny.yaml",
            new[] { "optimizer.accumulation_steps=2", "batch_size=32", "data.train_limit=128", "data.workers=0" });
        using var setup = TrainingSetup.Create(recipe, data.Value);
        var start = setup.Model.parameters().First().detach().clone();
        var snapshots = new Snapshots(setup);
        new Trainer(setup, new[] { snapshots }).Fit();
        Assert.Equal(4, snapshots.AfterBatch.Count);
        Assert.True(snapshots.AfterBatch[0].equal(start).all().item<bool>(), "no step after the first of two batches");
        Assert.False(snapshots.AfterBatch[1].equal(start).all().item<bool>(), "a step after the second");
        Assert.True(snapshots.AfterBatch[2].equal(snapshots.AfterBatch[1]).all().item<bool>());
        Assert.False(snapshots.AfterBatch[3].equal(snapshots.AfterBatch[2]).all().item<bool>());
    }

    [Fact]
    public void GradientClippingBoundsTheUpdate()
    {
        // Plain SGD (no momentum, no decay) at lr 1: every update is the clipped gradient itself.
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(1), "tiny.yaml", new[] {
            "optimizer.clip_grad_norm=0.001", "optimizer.momentum=0", "optimizer.nesterov=false",
            "optimizer.weight_decay=0",
            "optimizer.lr=1", "lr_schedule.name=constant", "lr_schedule.warmup_epochs=0", "batch_size=32",
                "data.train_limit=64" });
        using var setup = TrainingSetup.Create(recipe, data.Value);
        var before = setup.Model.parameters().Select(p => p.detach().clone()).ToList();
        var snapshots = new Snapshots(setup);
        new Trainer(setup, new[] { snapshots }).Fit();
        // After two steps the total change is at most 2 x 0.001 in global L2 norm.
        double squared = setup.Model.parameters().Zip(before, (p, b) => (p - b).pow(2).sum().item<float>()).Sum();
        Assert.InRange(Math.Sqrt(squared), 1e-6, 2 * 0.001 + 1e-6);
    }

    sealed class Rss : TrainingCallback
    {
        public List<long> ByEpoch { get; } = new();
        public override void OnEpochEnd(TrainingContext context, EpochResult result) =>
            ByEpoch.Add(System.Diagnostics.Process.GetCurrentProcess().WorkingSet64);
    }

    [Fact]
    public void NativeMemoryStaysFlatAcrossEpochs()
    {
        // with the loader worker
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(20), "tiny.yaml", new[] { "evaluation.tta_flip=false" });
        using var setup = TrainingSetup.Create(recipe, data.Value);
        var rss = new Rss();
        new Trainer(setup, new[] { rss }).Fit();
        // Medians of five epochs after epoch 2 and at the end: a leak of a few MB an epoch shows (it adds up over
        // 14 epochs), the allocator's epoch-to-epoch swings of +-20 MB (seen in CI) do not.
        static long Median(IEnumerable<long> x) => x.Order().ElementAt(2);
        long early = Median(rss.ByEpoch.Skip(1).Take(5)), late = Median(rss.ByEpoch.Skip(15).Take(5));
        double growth = (double)(late - early) / early;
        Assert.True(growth < 0.05, $"RSS grew {growth:P1} from epochs 2-6 to 16-20: " +
            $"{string.Join(", ", rss.ByEpoch.Select(b => b / 1_000_000))} MB");
    }

    sealed class Interrupt(int afterEpoch) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochResult result)
        {
            if (result.Epoch == afterEpoch) throw new OperationCanceledException("simulated interruption");
        }
    }

    [Fact]
    public void ResumeGivesTheSameMetricsAsAnUninterruptedRun()
    {
        var whole = Train(TestData.TempDir("whole"), epochs: 3);
        var dir = TestData.TempDir("interrupted");
        Assert.Throws<OperationCanceledException>(() =>
            Train(dir, epochs: 3, callbacks: new[] { new Interrupt(afterEpoch: 0) }));
        Assert.Single(MetricsCsv.Read(Path.Combine(dir, "metrics.csv")));
        var resumed = TrainingRunner.Resume(dir, data.Value, Array.Empty<TrainingCallback>());
        Assert.Equal(MetricsWithoutTiming(whole.Run), MetricsWithoutTiming(resumed.Run));
        Assert.Equal("completed", resumed.Summary.Status);
        var events = RunEvent.ReadAll(resumed.Run.EventsFile);
        Assert.Contains(events, e => e.Kind == "resume" && e.Epoch == 1);
    }

    sealed class InterruptAtBatch(int epoch, int batch) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, BatchResult result)
        {
            if (result.Epoch == epoch && result.Batch == batch)
                throw new OperationCanceledException("simulated kill mid-epoch");
        }
    }

    [Theory]
    [InlineData(4, "contiguous")]
    [InlineData(16, "channels_last")]   // NHWC weights, momentum and EMA, saved plain mid-step and restored
    public void ARecoveryCheckpointResumesMidEpochWithTheSameMetrics(int width, string layout)
    {
        // EMA and MixUp included: their state and randomness must continue exactly too.
        var yaml = TestData.TinyRecipe(3).Replace("width: 8", $"width: {width}") +
            "\ncheckpoint:\n  every_steps: 3\nema:\n  enabled: true\nmixup:\n  mixup_alpha: 0.2\n";
        var whole = Train(TestData.TempDir("whole-steps"), recipeYaml: yaml);
        Assert.Contains(RunEvent.ReadAll(whole.Run.EventsFile), e => e.Kind == "layout" && e.To == layout);
        var dir = TestData.TempDir("interrupted-steps");
        // 8 batches an epoch: global step 15 is epoch 1, batch 7, a recovery checkpoint; the kill comes right after it.
        Assert.Throws<OperationCanceledException>(() =>
            Train(dir, recipeYaml: yaml, callbacks: new[] { new InterruptAtBatch(1, 7) }));
        var header = Checkpoint.ReadHeader(Path.Combine(dir, "checkpoints", "last.ckpt"));
        Assert.Equal(1, header.Epoch);
        Assert.Equal(7, header.Progress!.Batch);
        var resumed = TrainingRunner.Resume(dir, data.Value, Array.Empty<TrainingCallback>());
        Assert.Equal(MetricsWithoutTiming(whole.Run), MetricsWithoutTiming(resumed.Run));
        Assert.Contains(RunEvent.ReadAll(resumed.Run.EventsFile), e => e.Kind == "resume" &&
            e.Message!.Contains("batch 7"));
        // the end of training saved a whole epoch
        Assert.Null(Checkpoint.ReadHeader(Path.Combine(dir, "checkpoints", "last.ckpt")).Progress);
    }

    [Fact]
    public void ADivergenceRollsBackToTheLastGoodCheckpointWithALowerLearningRate()
    {
        // The rate x1e30 once at epoch 1 blows the run up there; rolled back to the end of epoch 0 with the rate
        // halved for the rest of the run, it trains on.
        var yaml = TestData.TinyRecipe(3) + "\ndivergence:\n  action: rollback\n  lr_factor: 0.5\n";
        var recipe = RecipeLoader.Parse(yaml, "tiny.yaml");
        var dir = TestData.TempDir("rollback");
        var outcome = TrainingRunner.Start(new TrainingRequest
        {
            Recipe = recipe, OutputDirectory = dir, DataDirectory = data.Value,
            Callbacks = new TrainingCallback[] { new BlowUpOnce(epoch: 1) }
        });
        Assert.Equal("completed", outcome.Summary.Status);
        var events = RunEvent.ReadAll(outcome.Run.EventsFile);
        var rollback = Assert.Single(events, e => e.Kind == "rollback");
        Assert.Equal(1, rollback.Epoch);
        Assert.Contains("rolled back to last.ckpt (epoch 0)", rollback.Message);
        Assert.Equal(3, outcome.Metrics.Count);
        Assert.All(outcome.Metrics, m => Assert.False(double.IsNaN(m.TrainLoss)));
        var header = Checkpoint.ReadHeader(outcome.Run.LastCheckpoint);
        Assert.Equal(0.5, header.LrScale);
        Assert.Equal(1, header.Rollbacks);
        // metrics.csv records the rate the optimizer got: the schedule's, halved from the rollback on.
        var planned = ScheduleSimulation.Run(recipe, stepsPerEpoch: 256 / 32, nativeResolution: 28);
        Assert.Equal(planned[0].LrFirst, outcome.Metrics[0].LearningRate, 9);
        Assert.Equal(0.5 * planned[2].LrFirst, outcome.Metrics[2].LearningRate, 9);
    }

    /// <summary>Multiplies the learning rate by 1e30 at the start of an epoch, once: a divergence on demand.</summary>
    sealed class BlowUpOnce(int epoch) : TrainingCallback
    {
        bool done;
        public override void OnEpochStart(TrainingContext context, EpochSettings settings,
            IReadOnlyList<ScheduleChange> changes)
        {
            if (context.Epoch != epoch || done) return;
            done = true;
            context.Setup.LrScale *= 1e30;
        }
    }

    [Fact]
    public void AnExplodingGradientStopsTheRunAndKeepsTheLastGoodCheckpoint()
    {
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(2), "tiny.yaml", new[] { "divergence.max_grad_norm=1e-9" });
        var dir = TestData.TempDir("explode");
        var e = Assert.Throws<TrainingDivergedException>(() =>
            TrainingRunner.Start(new TrainingRequest
            {
                Recipe = recipe, OutputDirectory = dir,
                DataDirectory = data.Value
            }));
        Assert.Contains("gradient norm", e.Message);
        Assert.Equal(ExitCodes.Diverged, e.ExitCode);
        Assert.Equal("diverged", RunSummary.Read(Path.Combine(dir, "summary.json"))!.Status);
        // no step was taken, nothing bad was saved
        Assert.False(File.Exists(Path.Combine(dir, "checkpoints", "last.ckpt")));
    }

    [Fact]
    public void AnExistingRunFolderIsNotOverwrittenWithoutForce()
    {
        var dir = TestData.TempDir("existing");
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "keep me");
        var e = Assert.Throws<RegimenException>(() => Train(dir));
        Assert.Contains("--resume", e.Message);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(dir, "notes.txt")));
    }

    [Fact]
    public void EvaluateReportsAccuracyPerClassAndConfusions()
    {
        var outcome = Train(TestData.TempDir("eval"));
        var report = CheckpointEvaluation.Evaluate(outcome.Run.Path, data.Value, tta: true);
        Assert.Equal(100, report.Images);
        Assert.Equal(10, report.PerClass.Count);
        Assert.Equal(100, report.ConfusionMatrix.Sum(row => row.Sum()));
        int correct = Enumerable.Range(0, 10).Sum(i => report.ConfusionMatrix[i][i]);
        Assert.Equal(correct / 100.0, report.Accuracy, 9);
        // the best checkpoint scores what the run recorded
        Assert.Equal(outcome.Summary.BestValue!.Value, report.Accuracy, 9);
        Assert.NotNull(report.AccuracyTta);
        Assert.All(report.MostConfused, p => Assert.NotEqual(p.Actual, p.Predicted));
        Assert.Equal(report.MostConfused.OrderByDescending(p => p.Count).Select(p => p.Count),
            report.MostConfused.Select(p => p.Count));
    }

    [Fact]
    public void ACheckpointOfAnotherModelIsRefusedWithAClearMessage()
    {
        var outcome = Train(TestData.TempDir("other"), epochs: 1);
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(1).Replace("width: 8", "width: 6"), "wider.yaml");
        using var setup = TrainingSetup.Create(recipe, data.Value);
        var e = Assert.Throws<RegimenException>(() => Checkpoint.LoadInto(outcome.Run.LastCheckpoint, setup.Model,
            setup.Optimizer));
        Assert.Contains("do not fit model", e.Message);
    }
}

public class EarlyStoppingTests
{
    [Fact]
    public void StopsWhenTheMonitorStopsImprovingAndRecordsWhy()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("es-data"), trainCount: 128, testCount: 50);
        // Training loss falls every epoch, so watched in 'max' mode it never improves: patience 1 stops after epoch 1.
        var yaml = TestData.TinyRecipe(epochs: 5) + """

            early_stopping:
              enabled: true
              monitor: train_loss
              mode: max
              patience: 1
              min_epochs: 2
            """;
        var outcome = TrainingRunner.Start(new TrainingRequest
        {
            Recipe = RecipeLoader.Parse(yaml, "es.yaml"), OutputDirectory = TestData.TempDir("es-run"),
            DataDirectory = data,
        });
        Assert.Equal(2, outcome.Metrics.Count);
        Assert.Equal("stopped", outcome.Summary.Status);
        Assert.Contains("train_loss did not improve", outcome.Summary.StopReason);
        var events = RunEvent.ReadAll(outcome.Run.EventsFile);
        Assert.Contains(events, e => e.Kind == "early_stop" && e.Epoch == 1);
        Assert.Contains(events, e => e.Kind == "restore_best");
    }

    [Fact]
    public void UnknownMonitorIsARecipeError()
    {
        var e = Assert.Throws<RegimenException>(() =>
            CheckedRecipes.Parse("early_stopping:\n  monitor: val_accuracy\n", "r.yaml"));
        Assert.Contains("r.yaml:2:3: early_stopping.monitor: unknown metric 'val_accuracy' (did you mean 'val_acc'?)",
            e.Message);
    }
}

public class MixedPrecisionTests
{
    [Fact]
    public void Bf16TrainsWithFp32MasterWeightsAndIsRecorded()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("bf16-data"), trainCount: 256, testCount: 100);
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(epochs: 3) + "\nprecision: bf16\n", "bf16.yaml");
        var outDir = TestData.TempDir("bf16-run");
        var outcome = TrainingRunner.Start(new TrainingRequest
        {
            Recipe = recipe, OutputDirectory = outDir,
            DataDirectory = data
        });
        var rows = outcome.Metrics;
        Assert.All(rows, r => Assert.True(double.IsFinite(r.TrainLoss)));
        Assert.True(rows[^1].ValLoss < rows[0].ValLoss, $"val loss {rows[0].ValLoss} -> {rows[^1].ValLoss}");
        Assert.True(rows[^1].ValAccuracy > 0.3, $"accuracy {rows[^1].ValAccuracy}");
        Assert.Contains(RunEvent.ReadAll(outcome.Run.EventsFile), e => e.Kind == "precision" && e.To == "bf16");
        Assert.Contains("precision: bf16", File.ReadAllText(outcome.Run.RecipeFile));

        using var setup = TrainingSetup.Create(recipe, data);
        Assert.All(setup.Model.parameters(), p => Assert.Equal(TorchSharp.torch.ScalarType.Float32, p.dtype));
        Assert.All(setup.Precision!.Compute.parameters(), p =>
            Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, p.dtype));
        Assert.Throws<RegimenException>(() => RecipeLoader.Parse("precision: fp16\n", "p.yaml"));
    }
}
