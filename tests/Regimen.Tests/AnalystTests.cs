using Regimen.Analysis;
using Regimen.Runs;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>The analyst reaches the seeds' own conclusions on logs made from the seeds' tables.</summary>
public class AnalystTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
    internal static string SharedFixture(string name) =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "..", "shared",
            "fixtures", name));

    static RunAnalysis Analyze(string fixture, AnalysisOptions? options = null) =>
        Analyst.Analyze(Assert.Single(LogReader.Read(Fixture(fixture))), options);

    [Fact]
    public void Seed001TheFixResPhaseWithTestAugmentationsOpensTheGap()
    {
        var a = Analyze("seed001-fixres-v1", new AnalysisOptions
        {
            Target = 0.75,
            // seed 000's checkpoints, 0-based
            Milestones = new() { [14] = 0.38, [29] = 0.62, [44] = 0.72, [59] = 0.75 },
        });
        var shift = Assert.Single(a.Findings, f => f.Kind == "schedule-shift");
        Assert.Equal("critical", shift.Severity);
        Assert.Equal(50, shift.FirstEpoch);
        Assert.Equal(51, shift.Evidence["gap_opens_epoch"]);          // the seed's 1-based "epoch 52"
        Assert.Contains("augment on → off", shift.Summary);
        Assert.Contains(a.Findings, f => f.Kind == "overfitting");
        Assert.Equal(0.0672, a.FinalGap!.Value, 3);
        Assert.Contains(a.Findings, f => f is { Kind: "target-gap" });
        Assert.Contains(a.Findings, f => f.Kind == "milestone-missed" && f.FirstEpoch == 59);

        var keep = Assert.Single(a.Recommendations, r => r.Id == "keep-training-augmentations");
        Assert.Equal("true", keep.Patch["phases[2].augment"]);
        Assert.Contains("FixRes", keep.Source);
        var regularize = Assert.Single(a.Recommendations, r => r.Id == "stronger-regularization");
        Assert.Equal("0.0005", regularize.Patch["optimizer.weight_decay"]);   // seed 001's fix 2: 1e-4 → 5e-4
        Assert.Equal("0.4", regularize.Patch["mixup.mixup_alpha"]);           // fix 3: MixUp 0.4, CutMix 1.0
        Assert.Equal("1.0", regularize.Patch["mixup.cutmix_alpha"]);
        Assert.All(a.Findings.Where(f => f.Severity != "info"), f => Assert.NotEmpty(f.Evidence));
    }

    [Fact]
    public void Seed002TheProgressiveSessionOverfitsAndTheStableOneGeneralizes()
    {
        var progressive = Analyze("seed002-session04");
        var overfitting = progressive.Findings.First(f => f.Kind == "overfitting");
        Assert.Equal("critical", overfitting.Severity);
        Assert.True(progressive.FinalGap > 0.24, $"gap {progressive.FinalGap}");
        // minimal augmentation, MixUp off
        Assert.Contains(progressive.Findings, f => f.Kind == "schedule-shift" && f.FirstEpoch == 70);
        // best at the seed's epoch 99, dropped at 100
        Assert.Contains(progressive.Findings, f => f.Kind == "degradation" && f.FirstEpoch == 98);
        var keep = Assert.Single(progressive.Recommendations, r => r.Id == "keep-training-augmentations");
        Assert.Equal("reduced", keep.Patch["phases[3].augment_level"]);
        Assert.Equal("0.15", keep.Patch["phases[3].mixup_alpha"]);

        var stable = Analyze("seed002-session02");
        Assert.DoesNotContain(stable.Findings, f => f.Kind is "overfitting" or "degradation");
        var negative = Assert.Single(stable.Findings, f => f.Kind == "negative-gap");
        Assert.Equal("info", negative.Severity);
        Assert.Contains("MixUp 0.2", negative.Summary);
        Assert.True(stable.Healthy);
    }

    [Fact]
    public void Seed004FoldsDegradeAfterAnEarlyBestAndEarlyStoppingCutsThemShort()
    {
        var folds = LogReader.Read(Fixture("seed004-evolver-loop2"));
        Assert.Equal(5, folds.Count);
        var a = Analyst.AnalyzeFolds(folds, new AnalysisOptions { Target = 0.038820 });
        Assert.Equal("val_loss", a.Monitor);
        var acrossFolds = a.Findings.Where(f => f.Run == "all folds").ToList();
        Assert.Contains(acrossFolds, f => f.Kind == "degradation" && f.Evidence["degraded_folds"] >= 3);
        var stopped = Assert.Single(acrossFolds, f => f.Kind == "premature-stop");
        Assert.Equal(4, stopped.Evidence["stopped_folds"]);
        Assert.Contains(acrossFolds, f => f.Kind == "early-peak");
        Assert.Contains(acrossFolds, f => f.Kind == "fold-spread");
        var gap = Assert.Single(acrossFolds, f => f.Kind == "target-gap");
        Assert.Equal(0.0718, gap.Evidence["mean_final"], 4);                  // the seed's mean final loss
        // The seed's fixes: learning rates 5x lower (backbone 1e-4 → 2e-5, head 1e-3 → 2e-4), patience, batch size.
        var lr = Assert.Single(a.Recommendations, r => r.Id == "lower-learning-rate");
        Assert.Equal("0.0002", lr.Patch["optimizer.lr"]);
        Assert.Equal("0.00002", lr.Patch["finetune.backbone_lr"]);   // plain, as a person writes it
        Assert.Equal("2", lr.Patch["lr_schedule.warmup_epochs"]);
        Assert.Contains(a.Recommendations, r => r.Id == "patient-early-stopping");
        Assert.Equal("64", a.Recommendations.Single(r => r.Id == "steadier-folds").Patch["batch_size"]);
    }

    [Fact]
    public void RealFfcvRunsShowNoOverfittingOrDegradationAndTheirResolutionRamp()
    {
        var path = SharedFixture("ffcv-imagenet-rn50-agg.csv");
        if (!File.Exists(path)) path = Fixture("ffcv-imagenet-rn50-agg.csv");
        var logs = LogReader.Read(path);
        Assert.Equal(6, logs.Count);
        Assert.Equal(new[] { 16, 24, 32, 40, 56, 88 }, logs.Select(l => l.Epochs.Count).Order());
        foreach (var log in logs)
        {
            var a = Analyst.Analyze(log);
            Assert.DoesNotContain(a.Findings, f => f.Kind is "overfitting" or "degradation" or "divergence");
            Assert.Equal(a.BestValue, a.FinalValue);
            var ramp = log.Events.Where(e => e is { Kind: "schedule", Key: "resolution" }).ToList();
            Assert.NotEmpty(ramp);
            Assert.Equal("160", ramp[0].From);
            Assert.Equal("192", ramp[^1].To);
            Assert.Contains(a.Unchecked, u => u.Contains("no training accuracy"));
        }
        Assert.Equal(0.7376, logs.Single(l => l.Epochs.Count == 16).Epochs[^1].ValAccuracy!.Value, 4);
    }

    [Fact]
    public void TrainAccuracyMeetingValidationWhenMixUpEndsIsNoOverfitting()
    {
        // Under MixUp, training accuracy (against the original labels) sits far below validation; when MixUp ends it
        // rises to meet it. The gap jumps, but never past the threshold: an info finding, not a problem.
        var log = new TrainingLog
        {
            Name = "mixup-ends", Source = "synthetic", Format = "regimen", PlannedEpochs = 8,
            Epochs = Enumerable.Range(0, 8).Select(e => new LogEpoch
            {
                Epoch = e, TrainLoss = 1.5 - 0.05 * e - (e >= 6 ? 0.5 : 0), TrainAccuracy = e < 6 ? 0.55 + 0.01 * e
                    : 0.91 + 0.01 * (e - 6),
                ValLoss = 0.9 - 0.07 * e, ValAccuracy = 0.80 + 0.015 * e,
            }).ToList(),
            Events = new() { new LogEvent(6, "schedule", "mixup_alpha", "0.2", "0", null) },
        };
        var a = Analyst.Analyze(log);
        var shift = Assert.Single(a.Findings, f => f.Kind == "schedule-shift");
        Assert.Equal("info", shift.Severity);
        Assert.Contains("no overfitting", shift.Summary);
        Assert.DoesNotContain(a.Findings, f => f.Kind == "overfitting");
    }

    [Fact]
    public void FfcvResolutionFollowsItsRampRoundedTo32()
    {
        Assert.Equal(160, LogReader.FfcvResolution(10, 11, 13, 160, 192));
        Assert.Equal(160, LogReader.FfcvResolution(11, 11, 13, 160, 192));
        Assert.Equal(192, LogReader.FfcvResolution(12, 11, 13, 160, 192));   // 176 rounds half to even: 5.5 → 6 → 192
        Assert.Equal(192, LogReader.FfcvResolution(13, 11, 13, 160, 192));
    }
}
