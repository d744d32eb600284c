using Regimen.Models;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Sessions;
using Regimen.Training;

namespace Regimen.Tests;

public class StopRequestTests
{
    static readonly Lazy<string> data = new(() => TestData.WriteIdxDataset(TestData.TempDir("stop-data"),
        trainCount: 256, testCount: 100));

    static TrainingOutcome Train(string dir, string[] overrides, IReadOnlyList<TrainingCallback>? callbacks = null,
        StopRequest? stop = null) =>
        TrainingRunner.Start(new TrainingRequest
        {
            Recipe = RecipeLoader.Parse(TestData.TinyRecipe(3), "tiny.yaml", overrides),
            OutputDirectory = dir, DataDirectory = data.Value, Stop = stop,
            Callbacks = callbacks ?? Array.Empty<TrainingCallback>(),
        });

    /// <summary>Asks for a stop, as a Ctrl-C handler would, after a given batch of an epoch.</summary>
    sealed class RequestAt(StopRequest stop, int epoch, int batch) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, BatchResult result)
        {
            if (result.Epoch == epoch && result.Batch == batch) stop.Request("interrupted by the user (Ctrl-C)");
        }
    }

    [Theory]
    [InlineData(1, 5)]   // every batch is an optimizer step: it stops after batch 5
    [InlineData(3, 6)]   // accumulating 3 batches: asked after batch 5, it finishes the step at batch 6
    public void AStopWithinAnEpochLeavesARecoveryCheckpointAndResumesExactly(int accumulation, int expectedBatch)
    {
        // EMA and MixUp: their state and randomness must continue exactly too; no every_steps checkpoints.
        string[] overrides = ["ema.enabled=true", "mixup.mixup_alpha=0.2",
            $"optimizer.accumulation_steps={accumulation}"];
        var whole = Train(TestData.TempDir("stop-whole"), overrides);
        Assert.False(whole.Interrupted);
        var dir = TestData.TempDir("stop-mid");
        var stop = new StopRequest();
        var stopped = Train(dir, overrides, new[] { new RequestAt(stop, epoch: 1, batch: 5) }, stop);

        Assert.True(stopped.Interrupted);
        Assert.Equal(1, stopped.Interruption!.Epoch);
        Assert.Equal(expectedBatch, stopped.Interruption.Progress!.Batch);
        Assert.Equal("interrupted", stopped.Summary.Status);
        Assert.Equal("interrupted by the user (Ctrl-C)", stopped.Summary.StopReason);
        Assert.Single(stopped.Metrics);   // epoch 1 did not end
        var header = Checkpoint.ReadHeader(Path.Combine(dir, "checkpoints", "last.ckpt"));
        Assert.Equal((1, expectedBatch), (header.Epoch, header.Progress!.Batch));
        var events = RunEvent.ReadAll(Path.Combine(dir, "events.jsonl"));
        var stopEvent = Assert.Single(events, e => e.Kind == "stopped");
        Assert.Equal((1, "batch", $"{expectedBatch}"), (stopEvent.Epoch, stopEvent.Key, stopEvent.To));
        Assert.Contains($"interrupted by the user (Ctrl-C); stopped at epoch 1, batch {expectedBatch} of 8",
            stopEvent.Message);
        Assert.Equal(("end", "interrupted"), (events[^1].Kind, events[^1].Message));

        var resumed = TrainingRunner.Resume(dir, data.Value, Array.Empty<TrainingCallback>());
        Assert.False(resumed.Interrupted);
        Assert.Equal("completed", resumed.Summary.Status);
        Assert.Equal(TestData.MetricsWithoutTiming(whole.Run), TestData.MetricsWithoutTiming(resumed.Run));
        var after = RunEvent.ReadAll(Path.Combine(dir, "events.jsonl"));
        Assert.Single(after, e => e.Kind == "stopped");   // the stop stays in the run's history
        Assert.Contains(after, e => e.Kind == "resume" && e.Message!.Contains($"batch {expectedBatch}"));
    }

    /// <summary>What a live watcher does at an epoch's end: records a finding and asks the run to stop.</summary>
    sealed class Watcher : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochResult result)
        {
            context.Record(new TrainingEvent(result.Epoch, "finding", "val_loss rose for 1 epoch", Key: "overfitting"));
            if (result.Epoch == 0) context.Stop.Request("--stop-on overfitting: val_loss rose");
        }
    }

    [Fact]
    public void ACallbackAtAnEpochsEndRecordsEventsAndStopsTheRunBeforeTheNextEpoch()
    {
        string[] overrides = [];
        var whole = Train(TestData.TempDir("stop-epoch-whole"), overrides);
        var dir = TestData.TempDir("stop-epoch");
        var stopped = Train(dir, overrides, new[] { new Watcher() });

        Assert.True(stopped.Interrupted);
        Assert.Equal(1, stopped.Interruption!.Epoch);
        Assert.Null(stopped.Interruption.Progress);
        Assert.Equal("interrupted", stopped.Summary.Status);
        Assert.Single(stopped.Metrics);
        // epoch 0's own checkpoint
        Assert.Null(Checkpoint.ReadHeader(Path.Combine(dir, "checkpoints", "last.ckpt")).Progress);
        var events = RunEvent.ReadAll(Path.Combine(dir, "events.jsonl"));
        var finding = Assert.Single(events, e => e.Kind == "finding");
        Assert.Equal((0, "overfitting", "val_loss rose for 1 epoch"), (finding.Epoch, finding.Key, finding.Message));
        var stopEvent = Assert.Single(events, e => e.Kind == "stopped");
        Assert.Equal("--stop-on overfitting: val_loss rose; stopped before epoch 1", stopEvent.Message);
        Assert.True(events.IndexOf(finding) < events.IndexOf(stopEvent));

        var resumed = TrainingRunner.Resume(dir, data.Value, Array.Empty<TrainingCallback>());
        Assert.Equal(TestData.MetricsWithoutTiming(whole.Run), TestData.MetricsWithoutTiming(resumed.Run));
    }

    [Fact]
    public void AStopAskedBeforeTrainingStartsTrainsNothingAndKeepsTheRunResumable()
    {
        var stop = new StopRequest();
        stop.Request("first reason");
        stop.Request("second reason");
        Assert.Equal("first reason", stop.Reason);
        var dir = TestData.TempDir("stop-before");
        var outcome = Train(dir, [], stop: stop);
        Assert.True(outcome.Interrupted);
        Assert.Empty(outcome.Metrics);
        Assert.Equal(("interrupted", "first reason"), (outcome.Summary.Status, outcome.Summary.StopReason));
        var resumed = TrainingRunner.Resume(dir, data.Value, Array.Empty<TrainingCallback>());
        Assert.Equal(3, resumed.Metrics.Count);
    }
}
