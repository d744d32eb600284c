using Regimen.Analysis;
using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>
/// Every kind judged against the noise, at the edge of its threshold: an effect of 1 standard error gives no
/// finding, one of 4 does (docs/analysis.md, "Noise"). Validation sizes are given, so the noise is binomial.
/// </summary>
public class NoiseEdgeTests
{
    static TrainingLog Log(int? valSize, double[] val, double[]? train = null, double[]? trainLoss = null,
        double[]? valLoss = null, double[]? lr = null, int? classes = 10, List<LogEvent>? events = null,
        string name = "edge") => new()
        {
            Name = name, Source = "synthetic", Format = "csv", ValidationSize = valSize, Classes = classes,
            Epochs = val.Select((v, e) => new LogEpoch
            {
                Epoch = e, ValAccuracy = v, TrainAccuracy = train?[e], LearningRate = lr?[e],
                TrainLoss = trainLoss?[e] ?? 2.0 - 0.1 * e, ValLoss = valLoss?[e],
            }).ToList(),
            Events = events ?? new(),
        };

    static double Se(double p, int n) => NoiseModel.Binomial(p, n);
    static double SeDiff(double p1, double p2, int n) => Math.Sqrt(Se(p1, n) * Se(p1, n) + Se(p2, n) * Se(p2, n));

    static List<Finding> Findings(TrainingLog log, string kind, AnalysisOptions? o = null) =>
        Analyst.Analyze(log, o).Findings.Where(f => f.Kind == kind).ToList();

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void Degradation(double sigmas, bool found)
    {
        // The end is the mean of the epochs after the best (up to 3): two of them here, so its noise is SE/sqrt(2).
        const int n = 400;
        double drop = 0.1;
        for (int i = 0; i < 5; i++)
            drop = sigmas * Math.Sqrt(Se(0.5, n) * Se(0.5, n) + Se(0.5 - drop, n) * Se(0.5 - drop, n) / 2) * 1.01;
        var log = Log(n, new[] { 0.40, 0.44, 0.47, 0.49, 0.5, 0.5 - drop, 0.5 - drop });
        var f = Findings(log, "degradation");
        Assert.Equal(found, f.Count == 1);
        if (found)
        {
            Assert.Equal(sigmas * 1.01, f[0].Evidence["effect_se"], 1);
            Assert.Contains("binomial on 400 validation images", f[0].Noise);
        }
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void OverfittingNeedsAGrowingGapAndAModelThatFitsItsTrainingData(double sigmas, bool found)
    {
        const int n = 50;
        double gap = sigmas * Se(0.5, n);                       // > the 5-point threshold either way
        var val = new[] { 0.3, 0.4, 0.45, 0.5, 0.5, 0.5, 0.5, 0.5 };
        var train = val.Select((v, e) => v + gap * e / 7.0).ToArray();
        var f = Findings(Log(n, val, train), "overfitting");
        Assert.Equal(found, f.Count == 1);
        if (found) Assert.Contains("memorizes", f[0].Summary);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void AGapOpenFromTheFirstEpochIsReportedForWhatItIsNotAsOverfitting(double sigmas, bool found)
    {
        const int n = 50;
        double gap = sigmas * Se(0.5, n);
        var val = new[] { 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 };
        var f = Analyst.Analyze(Log(n, val, val.Select(v => v + gap).ToArray())).Findings;
        Assert.DoesNotContain(f, x => x.Kind == "overfitting");
        Assert.Equal(found, f.Any(x => x.Kind == "train-val-gap" && x.Summary.Contains("there from epoch 0")));
    }

    [Fact]
    public void AtFortyPercentTrainingAccuracyNothingIsMemorized()
    {
        // The case: a gap far beyond the noise, after one epoch, at 40 % training accuracy on 10 classes.
        var log = Log(500, new[] { 0.146, 0.212 }, new[] { 0.157, 0.3996 });
        var a = Analyst.Analyze(log);
        Assert.DoesNotContain(a.Findings, x => x.Severity == "critical");
        var gap = Assert.Single(a.Findings, x => x.Kind == "train-val-gap");
        Assert.Contains("short of the 55 %", gap.Summary);
        Assert.Contains(a.Unchecked, u => u == "too early to judge overfitting: 2 epochs, it needs at least 4");
        Assert.Contains(a.Unchecked, u => u.StartsWith("too early to judge degradation"));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void ScheduleShiftOfTheGap(double sigmas, bool found)
    {
        const int n = 50;
        double jump = sigmas * Se(0.5, n) * Math.Sqrt(1 + 1.0 / 3) * 1.02;
        var val = Enumerable.Repeat(0.5, 9).ToArray();
        var train = val.Select((v, e) => e < 5 ? v : v + jump).ToArray();
        var events = new List<LogEvent> { new(5, "schedule", "augment", "on", "off", null) };
        var f = Findings(Log(n, val, train, events: events), "schedule-shift");
        Assert.Equal(found, f.Count == 1);
        if (found) Assert.Equal("critical", f[0].Severity);               // augmentations switched off
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void AStepOfTheLoggedLearningRateIsAScheduleEventAndItsJumpAScheduleShift(double sigmas, bool found)
    {
        const int n = 400;
        double jump = sigmas * SeDiff(0.6, 0.6, n) * 1.02;
        var val = new[] { 0.5, 0.55, 0.58, 0.59, 0.6, 0.6, 0.6 + jump, 0.6 + jump, 0.6 + jump };
        var lr = new[] { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01 };
        var f = Findings(Log(n, val, lr: lr), "schedule-shift");
        Assert.Equal(found, f.Count == 1);
        if (found)
        {
            Assert.Equal(6, f[0].FirstEpoch);
            Assert.Contains("lr 0.1 → 0.01", f[0].Summary);
            Assert.Contains("jumped", f[0].Summary);
        }
    }

    [Fact]
    public void AStepDecaysGainIsJudgedByTheLevelsAroundItNotByATrendThroughIt()
    {
        // One epoch's step of 1.8 SE is inside the noise; the level over 4 epochs after against 3 before is not.
        const int n = 1000;
        double jump = 1.8 * SeDiff(0.6, 0.6, n);
        var val = Enumerable.Range(0, 12)
            .Select(e => (e < 8 ? 0.6 : 0.6 + jump) + (e % 2 == 0 ? 0.001 : -0.001)).ToArray();
        var lr = Enumerable.Range(0, 12).Select(e => e < 8 ? 0.1 : 0.01).ToArray();
        var shift = Assert.Single(Findings(Log(n, val, lr: lr), "schedule-shift"));
        Assert.Equal(8, shift.FirstEpoch);
        Assert.Contains("mean of the 3 epochs before", shift.Summary);
        // The same rise as a steady climb through the step: the means differ, the climb explains it.
        var climb = Enumerable.Range(0, 12).Select(e => 0.5 + 0.012 * e).ToArray();
        Assert.Empty(Findings(Log(n, climb, lr: lr), "schedule-shift"));
    }

    [Fact]
    public void WarmupAndCosineAreNoLearningRateSteps()
    {
        var lr = Enumerable.Range(0, 30)
            .Select(e => e < 5 ? 0.1 * (e + 1) / 5 : 0.05 * (1 + Math.Cos(Math.PI * (e - 5) / 25)))
            .Select((x, e) => (e, x)).ToList();
        Assert.Empty(LearningRateSteps.Steps(lr));
        var step = Enumerable.Range(0, 30).Select(e => (e, e < 10 ? 0.1 : e < 20 ? 0.01 : 0.001)).ToList();
        Assert.Equal(new[] { 10, 20 }, LearningRateSteps.Steps(step).Select(s => s.Epoch));
    }

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(4, false)]
    public void APlateauIsAGainInsideOneStandardError(double sigmas, bool plateau)
    {
        const int n = 400;
        double gain = sigmas * SeDiff(0.6, 0.6, n);
        var val = new[] { 0.40, 0.5, 0.55, 0.58, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6 + gain };
        Assert.Equal(plateau, Findings(Log(n, val), "plateau").Count == 1);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void Oscillation(double sigmas, bool found)
    {
        const int n = 400;
        double half = sigmas * SeDiff(0.6, 0.6, n) / 2;
        var val = Enumerable.Range(0, 12).Select(e => 0.6 + (e % 2 == 0 ? half : -half)).ToArray();
        Assert.Equal(found, Findings(Log(n, val), "oscillation").Count == 1);
    }

    [Fact]
    public void OscillationThatSettlesBeforeTheEndIsANoteWithItsEpochs()
    {
        const int n = 400;
        double half = 4 * SeDiff(0.6, 0.6, n) / 2;
        var val = Enumerable.Range(0, 24).Select(e => e < 12 ? 0.6 + (e % 2 == 0 ? half : -half) : 0.6).ToArray();
        var f = Assert.Single(Findings(Log(n, val), "oscillation"));
        Assert.Equal("info", f.Severity);
        Assert.True(f.LastEpoch < 16, $"{f.FirstEpoch}-{f.LastEpoch}");
        Assert.Contains("then it settled", f.Summary);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OverfittingByLossesCountsFromWhereValidationLossStoppedImprovingNotFromItsLowestWiggle(bool flat)
    {
        // yolo-skincancer's shape: validation loss flat within its wiggles from epoch 5, its lowest value late
        // (epoch 16), training loss falling 7x, but less than 2x after epoch 16. Against it: validation loss still
        // falling, as steadily, to the end.
        var valLoss = Enumerable.Range(0, 20).Select(e => flat
            ? (e < 5 ? 1.5 - 0.03 * e : 1.35) + (e % 2 == 0 ? 0.004 : -0.004) - (e == 16 ? 0.01 : 0)
            : 1.5 - 0.03 * e + (e % 2 == 0 ? 0.004 : -0.004)).ToArray();
        var trainLoss = Enumerable.Range(0, 20).Select(e => 1.3 * Math.Pow(0.905, e)).ToArray();
        Assert.True(trainLoss[16] / trainLoss[^1] < 2);
        var log = Log(1000, Enumerable.Repeat(0.8, 20).ToArray(), trainLoss: trainLoss, valLoss: valLoss);
        var f = Findings(log, "overfitting");
        Assert.Equal(flat, f.Count == 1);
        if (flat) Assert.Contains("improved no more than its noise", f[0].Summary);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WithoutValidationLossOrTrainingAccuracyAFallingAccuracyWhileTrainingLossFallsIsOverfitting(
        bool trainLossFalls)
    {
        // noprop-cifar100-md's shape: validation accuracy is all the log has of generalization.
        var val = Enumerable.Range(0, 16).Select(e => e <= 5 ? 0.40 + 0.014 * e : 0.47 - 0.017 * (e - 5)).ToArray();
        var trainLoss = Enumerable.Range(0, 16)
            .Select(e => trainLossFalls || e <= 5 ? 0.8 - 0.02 * e : 0.7 + (e % 2 == 0 ? 0.003 : -0.003)).ToArray();
        var a = Analyst.Analyze(Log(10000, val, trainLoss: trainLoss));
        Assert.Contains(a.Findings, x => x.Kind == "degradation");
        Assert.Equal(trainLossFalls, a.Findings.Any(x => x.Kind == "overfitting"));
        if (trainLossFalls)
            Assert.Contains("fits its training images ever better", a.Findings.First(x => x.Kind == "overfitting")
                .Summary);
    }

    [Theory]
    [InlineData(0.03, true)]
    [InlineData(0.3, false)]
    public void WithoutTrainingAccuracyATrainingLossUnderAFifthOfTheValidationLossIsMemorization(double end,
        bool found)
    {
        // hf-cat-emotions' shape: three evaluations in ten epochs, validation loss 1.01 -> 0.90 -> 0.93.
        var trainLoss = Enumerable.Range(0, 10).Select(e => 1.9 * Math.Pow(end / 1.9, e / 9.0)).ToArray();
        double?[] valLoss = { null, null, 1.01, null, null, null, 0.90, null, null, 0.93 };
        var log = new TrainingLog
        {
            Name = "loss-gap", Source = "synthetic", Format = "huggingface",
            Epochs = trainLoss.Select((l, e) => new LogEpoch { Epoch = e, TrainLoss = l, ValLoss = valLoss[e] })
                .ToList(),
        };
        var f = Findings(log, "overfitting");
        Assert.Equal(found, f.Count == 1);
        if (found) Assert.Contains("under a fifth of the validation loss", f[0].Summary);
    }

    [Theory]
    [InlineData(0.0012, true)]
    [InlineData(0, false)]
    public void AValidationLossRiseIsJudgedAgainstTheSwingsOfItsOwnStretch(double risePerEpoch, bool found)
    {
        // bearpaw-fashion-3phase's shape: at lr 0.1 validation loss swings by 0.1-0.4 from epoch to epoch; after the
        // step to 0.001 it swings by 0.001 and rises 13 % over 16 epochs while training loss keeps falling.
        var valLoss = Enumerable.Range(0, 36).Select(e => e < 20
            ? 0.45 + (e % 3 == 0 ? 0.35 : e % 3 == 1 ? -0.1 : 0.1)
            : 0.14 + risePerEpoch * Math.Max(0, e - 20) + (e % 2 == 0 ? 0.001 : -0.001)).ToArray();
        var trainLoss = Enumerable.Range(0, 36).Select(e => e < 20 ? 0.4 - 0.005 * e : 0.12 - 0.002 * (e - 20))
            .ToArray();
        var lr = Enumerable.Range(0, 36).Select(e => e < 20 ? 0.1 : 0.001).ToArray();
        var val = Enumerable.Range(0, 36).Select(e => e < 20 ? 0.85 : 0.95).ToArray();
        var log = Log(10000, val, val.Select(v => v + 0.01).ToArray(), trainLoss, valLoss, lr);
        var f = Findings(log, "overfitting");
        Assert.Equal(found, f.Count == 1);
        if (found) Assert.Contains("its stretch", f[0].Noise);
    }

    [Theory]
    [InlineData(1.0, true)]
    [InlineData(0.98, false)]
    public void ChanceFromTheClassCountALogImpliesTopFiveAlwaysFullAndTheFirstLossLnC(double top5, bool implied)
    {
        // yolo-carmake's shape: 3 classes (top-5 always 100 %, first training loss 1.097 = ln 3), validation
        // accuracy 17-26 % around a chance of 33 %, the validation loss climbing (from above ln 3: the first losses
        // do not both say ln 3, which would imply the class count without the top-5 accuracy).
        var val = Enumerable.Range(0, 12).Select(e => 0.23 + (e % 3 - 1) * 0.03).ToArray();
        var log = Log(69, val, trainLoss: Enumerable.Range(0, 12).Select(e => 1.097 * Math.Pow(0.7, e)).ToArray(),
            valLoss: Enumerable.Range(0, 12).Select(e => 1.25 + 0.05 * e).ToArray(), classes: null);
        log = log with
        {
            Epochs = log.Epochs.Select(e => e with { ValTop5 = e.Epoch == 5 ? top5 : 1.0 }).ToList(),
        };
        var f = Findings(log, "underfitting").Where(x => x.Severity == Severity.Critical).ToList();
        Assert.Equal(implied, f.Count == 1);
        if (implied) Assert.Contains("1/3 = 33.33 % (3 classes: top-5 accuracy is always 100 %", f[0].Summary);
    }

    [Theory]
    [InlineData(0.992, false)]
    [InlineData(0.80, true)]
    public void LossesSayNoMemorizationWhereTheValidationAccuracyLeavesNoRoomForAGap(double finalVal, bool found)
    {
        // yolo-sibi-letters' shape: top-1 99.2 %, a val/loss of 2.26 on YOLO's own scale, training loss 0.04.
        var val = Enumerable.Range(0, 15).Select(e => finalVal - 0.03 * Math.Pow(0.6, e)).ToArray();
        var trainLoss = Enumerable.Range(0, 15).Select(e => 1.81 * Math.Pow(0.76, e)).ToArray();
        var valLoss = Enumerable.Range(0, 15).Select(e => 2.2565 + 0.11 * Math.Pow(0.5, e)).ToArray();
        var f = Findings(Log(1055, val, trainLoss: trainLoss, valLoss: valLoss), "overfitting");
        Assert.Equal(found, f.Count == 1);
    }

    [Fact]
    public void UnderfittingFromTheValidationLossWhereTheLogHasNoTrainingLoss()
    {
        // Lightning's val_loss alone (lightning-eurosat in the corpus): still falling 2 % an epoch at the end.
        var falling = new[] { 2.274, 2.235, 2.179, 2.127, 2.080, 2.035, 1.988, 1.950, 1.902, 1.860 };
        TrainingLog Only(double[] loss) => new()
        {
            Name = "val-loss-only", Source = "synthetic", Format = "csv",
            Epochs = loss.Select((l, e) => new LogEpoch { Epoch = e, ValLoss = l }).ToList(),
        };
        var f = Assert.Single(Analyst.Analyze(Only(falling)).Findings, x => x.Kind == "underfitting");
        Assert.Contains("validation loss fell", f.Summary);
        var flat = falling.Select((l, e) => e < 6 ? l : 2.035 + (e % 2 == 0 ? 0.002 : -0.002)).ToArray();
        Assert.DoesNotContain(Analyst.Analyze(Only(flat)).Findings, x => x.Kind == "underfitting");
    }

    [Fact]
    public void ATrainingErrorUnderAFifthOfTheValidationErrorIsMemorizationEvenWhenTheGapWasOpenFromTheStart()
    {
        // A second stage of a training (keras-cat-twostage in the corpus): 99.5 % training accuracy from its first
        // epoch against 85 % on validation; the gap does not grow in this log, the model has memorized already.
        const int n = 190;
        var val = Enumerable.Range(0, 10).Select(e => 0.85 + (e % 2 == 0 ? 0.005 : -0.005)).ToArray();
        var f = Analyst.Analyze(Log(n, val, val.Select(_ => 0.995).ToArray())).Findings;
        var over = Assert.Single(f, x => x.Kind == "overfitting");
        Assert.Contains("under a fifth of the validation error", over.Summary);
        Assert.DoesNotContain(f, x => x.Kind == "train-val-gap");
        // At 95 % training accuracy (an error of a third of validation's) it is the gap it was from the start.
        f = Analyst.Analyze(Log(n, val, val.Select(_ => 0.95).ToArray())).Findings;
        Assert.DoesNotContain(f, x => x.Kind == "overfitting");
        Assert.Contains(f, x => x.Kind == "train-val-gap");
    }

    [Fact]
    public void TheValidationSizeIsInferredFromSinglePrecisionAccuracies()
    {
        // Keras writes float32 accuracies in full (0.469490110874176 = 3370/7178), most of them with no 8-decimal
        // rounding that fits.
        var keras = new[] { 3370, 2575, 3805, 2852, 3434, 4003, 4066, 4297 }.Select(k => (double)(float)(k / 7178.0));
        Assert.Equal(7178, NoiseModel.InferValidationSize(keras));
        // A torchvision-tutorial loop printing float32 percentages with 4 decimals (torchvision-squeezenet-md in the
        // corpus, 12,032 test images): 58.8181 is 7077/12032 = 58.818151... rounded after a float32 step.
        var percent = new[]
        {
            24.8504, 50.0083, 41.8384, 52.3770, 56.0339, 58.8846, 54.0392, 56.2001, 58.8181, 59.9318,
        };
        Assert.Equal(12032, NoiseModel.InferValidationSize(percent.Select(p => p / 100)));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void UnderfittingIsAGainBeyondTheNoiseAtTheEnd(double sigmas, bool found)
    {
        const int n = 400;
        double step = sigmas * SeDiff(0.6, 0.6, n) / 2 * 1.02;
        var val = new[] { 0.4, 0.5, 0.55, 0.6, 0.6 + step, 0.6 + 2 * step };
        var f = Findings(Log(n, val), "underfitting");
        Assert.Equal(found, f.Count == 1);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(4, false)]
    public void NearChanceLearningIsUnderfittingAtOneStandardErrorAboveChance(double sigmas, bool stuck)
    {
        const int n = 400;
        double above = sigmas * SeDiff(0.1, 0.1, n);
        var val = new[] { 0.1, 0.1 + above / 2, 0.1, 0.1 + above, 0.1 + above / 2, 0.1 + above };
        var flat = new[] { 2.31, 2.30, 2.30, 2.29, 2.30, 2.29 };
        var f = Findings(Log(n, val, trainLoss: flat), "underfitting");
        Assert.Equal(stuck, f.Count == 1);
        if (stuck)
        {
            Assert.Equal("critical", f[0].Severity);
            Assert.Contains("1/10", f[0].Summary);
            Assert.Contains("escape-chance", f[0].Recommendations);
        }
    }

    [Fact]
    public void WithoutAClassCountChanceIsTheAccuracyTheRunStartsAtAndNeverLeaves()
    {
        var val = new[] { 0.62, 0.62, 0.61, 0.62, 0.62, 0.62 };   // the majority class of a two-class set
        var log = Log(1000, val, val, trainLoss: new[] { 0.67, 0.67, 0.66, 0.67, 0.67, 0.66 }, classes: null);
        var f = Assert.Single(Findings(log, "underfitting"));
        Assert.Contains("the 62.00 % it started at", f.Summary);
        // A pretrained model that starts high and learns on the training side is no stuck model.
        var finetuned = Log(1000, val, val.Select(v => v + 0.2).ToArray(), classes: null);
        Assert.DoesNotContain(Findings(finetuned, "underfitting"), x => x.Evidence.ContainsKey("chance"));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void FoldSpread(double sigmas, bool found)
    {
        const int n = 400;
        double std = sigmas * Se(0.5, n);
        // Three finals m - a, m, m + a have a sample std of a.
        var folds = new[] { -std, 0, std }.Select((d, i) => Log(n, new[] { 0.3, 0.4, 0.45, 0.5 + d, 0.5 + d },
            name: $"fold-{i + 1}")
            with
        { Fold = i + 1 }).ToList();
        var a = Analyst.AnalyzeFolds(folds);
        Assert.Equal(found, a.Findings.Any(f => f.Kind == "fold-spread"));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void MilestoneAndTarget(double sigmas, bool found)
    {
        const int n = 400;
        var val = new[] { 0.3, 0.4, 0.45, 0.5, 0.5, 0.5 };
        double shortBy = sigmas * Se(0.5, n) * 1.02;
        var o = new AnalysisOptions { Target = 0.5 + shortBy, Milestones = new() { [3] = 0.5 + shortBy } };
        var a = Analyst.Analyze(Log(n, val), o);
        Assert.Equal(found, a.Findings.Any(f => f.Kind == "milestone-missed"));
        Assert.Equal(found, a.Findings.Any(f => f.Kind == "target-gap"));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void NegativeGap(double sigmas, bool found)
    {
        const int n = 50;
        double gap = sigmas * Se(0.6, n) * 1.02;
        var val = Enumerable.Repeat(0.6, 6).ToArray();
        var f = Findings(Log(n, val, val.Select(v => v - gap).ToArray()), "negative-gap");
        Assert.Equal(found, f.Count == 1);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void OverfittingByLossAgainstTheLossOwnSpread(double sigmas, bool found)
    {
        // A validation loss with a zigzag of its own (its noise), falling to epoch 5 and then rising.
        double[] Series(double rise) => Enumerable.Range(0, 12)
            .Select(e => (e <= 5 ? 1.5 - 0.1 * e : 1.0 + rise * (e - 5) / 6.0) + (e % 2 == 0 ? 0.02 : -0.02)).ToArray();
        double sigma = NoiseModel.EpochSpread(Series(0).Select((x, e) => (e, x)).ToList());
        double rise = sigmas * Math.Sqrt(2) * sigma * 1.05;
        var valLoss = Series(rise);
        // Training loss falls, but not so far that it fits the training data by itself (it does not halve).
        var trainLoss = Enumerable.Range(0, 12).Select(e => 2.0 - 0.05 * e).ToArray();
        var log = Log(null, Enumerable.Repeat(double.NaN, 12).ToArray(), trainLoss: trainLoss, valLoss: valLoss) with
        {
            Epochs = Enumerable.Range(0, 12)
                .Select(e => new LogEpoch { Epoch = e, TrainLoss = trainLoss[e], ValLoss = valLoss[e] }).ToList(),
        };
        var f = Findings(log, "overfitting");
        Assert.Equal(found, f.Count == 1);
        if (found) Assert.Contains("epoch-to-epoch spread of val_loss", f[0].Noise);
    }

    [Fact]
    public void AGapThatTheValidationsOwnSwingsExplainIsNoOverfitting()
    {
        // The first six epochs of the default recipe at its peak learning rate (a real run, 6000 held-out images):
        // validation swings by 6-17 points from epoch to epoch, far beyond its binomial error of 0.5 points. The
        // gap at the last epoch (10.4 points) is one of those swings, not memorization: oscillation, not overfitting.
        double[] val = { 0.7775, 0.702166667, 0.874333333, 0.8145, 0.870166667, 0.785 };
        double[] train = { 0.671875, 0.838015885, 0.864533848, 0.87735674, 0.882738272, 0.888713628 };
        var swinging = Log(6000, val, train);
        Assert.Empty(Findings(swinging, "overfitting"));
        Assert.Contains(Analyst.Analyze(swinging).Findings, f => f.Kind == "oscillation");
        // The same training accuracy and final gap with a validation accuracy that stays where it ends: the gap grew
        // steadily while training accuracy rose, beyond the noise -- memorization.
        var steady = Log(6000, val.Select(_ => 0.785).ToArray(), train);
        Assert.Contains(Findings(steady, "overfitting"), f => f.Severity == "critical");
    }
}
