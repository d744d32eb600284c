using Regimen.Analysis;
using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>
/// Findings an expert would not write, on the real numbers of corpus logs (Corpus/README.md names each), and beside
/// each a true verdict of the same kind that is still found (docs/analysis.md, "Noise" and the kinds' table).
/// </summary>
public partial class ExpertReadingTests
{
    static TrainingLog Log(double[] val, double[]? trainLoss = null, double[]? valLoss = null, int first = 1) => new()
    {
        Name = "real", Source = "corpus", Format = "csv",
        Epochs = val.Select((v, i) => new LogEpoch
        {
            Epoch = first + i, ValAccuracy = v, TrainLoss = trainLoss?[i], ValLoss = valLoss?[i],
        }).ToList(),
    };

    static List<Finding> Findings(TrainingLog log, string kind) =>
        Analyst.Analyze(log).Findings.Where(f => f.Kind == kind).ToList();

    // keras2-bottleneck-docstring: a small top model on VGG16 features, 2000 training images; its training loss
    // falls 70-fold to 0.0075 at epoch 40 and is 0.0317 at 41, a tenth of where it started.
    static readonly double[] BottleneckTrainLoss =
    {
        0.5461, 0.3539, 0.2889, 0.2391, 0.2314, 0.2088, 0.1559, 0.1584, 0.1198, 0.132, 0.1102, 0.0984, 0.077, 0.079,
        0.0793, 0.0626, 0.0529, 0.0456, 0.056, 0.0475, 0.0378, 0.0288, 0.0257, 0.0312, 0.0377, 0.0257, 0.0391,
        0.0242, 0.0228, 0.029, 0.0258, 0.0247, 0.0201, 0.0132, 0.0251, 0.0241, 0.0134, 0.0182, 0.0185, 0.0075,
        0.0317, 0.0108, 0.0197, 0.0173, 0.018, 0.0118, 0.0176, 0.0115, 0.0163, 0.0096,
    };

    [Fact]
    public void ANearZeroTrainingLossThatTriplesIsTheNoiseOfAMemorizedSetNotADivergence()
    {
        var val = BottleneckTrainLoss.Select(_ => 0.89).ToArray();
        Assert.Empty(Findings(Log(val, BottleneckTrainLoss), "divergence"));
    }

    [Fact]
    public void ALossThatBlowsUpBackToWhereTrainingStartedIsStillADivergence()
    {
        // yolo-dogcat's lr warm-up (epochs 1-10): train/loss 0.567 -> 1.685, val/loss 0.42 -> 12.4.
        var train = new[] { 0.56745, 0.5909, 0.99981, 1.68531, 1.28481, 1.04865, 1.07701, 0.96278, 0.81464, 0.72988 };
        var valLoss = new[] { 0.42163, 0.63308, 1.12615, 12.4001, 1.57423, 1.41169, 0.86247, 0.76076, 0.70959, 0.6791 };
        var val = new[] { 0.826, 0.81315, 0.52743, 0.51458, 0.54177, 0.53485, 0.50816, 0.58725, 0.54375, 0.56154 };
        var f = Findings(Log(val, train, valLoss), "divergence");
        Assert.Equal(Severity.Critical, Assert.Single(f).Severity);
        Assert.Equal(4, f[0].FirstEpoch);
    }

    [Fact]
    public void AValidationAccuracyAtOneHundredPercentFromTheFirstEpochIsNoChance()
    {
        // yolo-acne-saturated: top-1 = 1 in every epoch, val/loss 0.31323 from epoch 4, train/loss to 0.
        var val = Enumerable.Repeat(1.0, 12).ToArray();
        var valLoss = new[] { 0.314, 0.31345, 0.31326, 0.31323, 0.31323, 0.31323, 0.31323, 0.31323, 0.31323, 0.31323,
            0.31323, 0.31323 };
        var train = new[] { 0.03721, 0.00032, 9e-05, 3e-05, 2e-05, 1e-05, 1e-05, 1e-05, 1e-05, 1e-05, 1e-05, 1e-05 };
        var findings = Analyst.Analyze(Log(val, train, valLoss)).Findings;
        Assert.DoesNotContain(findings, f => f.Kind is "underfitting" or "overfitting");
        Assert.Contains(findings, f => f.Kind == "plateau");
    }

    [Fact]
    public void AMajorityClassAnswerBelowOneHundredPercentIsStillNearChance()
    {
        // yolo-breastcancer: 42/44 (the majority class) in 9 of 10 epochs, val/loss 0.391 -> 0.375.
        var val = new[] { 0.95455, 0.95455, 0.95455, 0.95455, 0.97727, 0.95455, 0.95455, 0.95455, 0.95455, 0.95455 };
        var valLoss = new[] { 0.3913, 0.38126, 0.3952, 0.3875, 0.3771, 0.3642, 0.38727, 0.37445, 0.36369, 0.37516 };
        var train = new[] { 0.48991, 0.3883, 0.3695, 0.34479, 0.33462, 0.32014, 0.30959, 0.29838, 0.29338, 0.28407 };
        var f = Findings(Log(val, train, valLoss), "underfitting");
        Assert.Equal(Severity.Critical, Assert.Single(f).Severity);
    }

    // bearpaw-camel-cifar10's Valid Acc. (percent with 2 decimals of CIFAR-10's 10,000 test images), epochs 1-50.
    static readonly double[] CamelValid =
    {
        30.08, 37.24, 47.91, 54.99, 63.03, 59.91, 71.84, 70.56, 67.66, 70.29, 60.58, 74.54, 74.17, 71.42, 67.89,
        75.70, 73.67, 81.36, 79.14, 74.27, 80.43, 73.71, 78.68, 80.83, 79.90, 77.46, 77.36, 77.87, 80.78, 80.40,
        79.59, 79.60, 79.91, 80.31, 83.40, 78.78, 77.87, 77.09, 78.08, 72.02, 84.48, 81.29, 83.48, 77.47, 81.65,
        80.56, 77.99, 78.75, 77.94, 82.47,
    };

    [Fact]
    public void PercentagesWithTwoDecimalsSayNothingOfTheValidationSize()
    {
        // Every 4-decimal fraction is within half a unit of a multiple of 1/8000, as of 1/10,000: no size is
        // inferred (it was ~8000, and a 2-point fall inside swings of 5-16 points was a degradation).
        Assert.Null(NoiseModel.InferValidationSize(CamelValid.Select(p => p / 100)));
        // A size the values do pin down is still found: YOLO's 5 decimals of 42/44 and 43/44.
        Assert.Equal(44, NoiseModel.InferValidationSize(new[] { 0.95455, 0.97727 }));
    }

    [Fact]
    public void SwingsWithinTheMostTheEvaluationNoiseCanBeAreNoOscillation()
    {
        // keras-bert-mbti-md's val_binary_accuracy over its 7 epochs (1,024 users x 4 axes; size not logged):
        // changes of 1.5 points on average; the smallest step, 0.0008, allows no fewer than 1111 values.
        var val = new[] { 0.7034, 0.7551, 0.7607, 0.7559, 0.7441, 0.749, 0.7407 };
        var log = Log(val, new[] { 0.5899, 0.5275, 0.4856, 0.4354, 0.3572, 0.2476, 0.1442 });
        Assert.Equal(1111, new NoiseModel(log).ValidationSizeAtLeast);
        Assert.Empty(Findings(log, "oscillation"));
    }

    [Fact]
    public void SwingsBeyondTheMostTheEvaluationNoiseCanBeAreAnOscillation()
    {
        // bearpaw-camel-cifar10's first 50 epochs at lr 0.1: ValidAcc. 84.48 -> 81.29 -> 83.48 -> 77.47 -> 81.65.
        var f = Findings(Log(CamelValid.Select(p => p / 100).ToArray()), "oscillation");
        Assert.Equal(Severity.Warning, Assert.Single(f).Severity);
        Assert.Contains("binomial on at least 5000 validation images", f[0].Noise);
    }

    [Fact]
    public void ADoublePrintedInFullIsACountWhoseValidationSizeIsInferred()
    {
        // hf-cat-emotions: eval_accuracy 55/84, 62/84, 60/84 at epochs 4, 7 and 10 (numpy doubles in full); a fall of
        // 2 images from the best is 0.3 SE of a difference on 84 images, no degradation (it was one: no noise known).
        var log = new TrainingLog
        {
            Name = "real", Source = "corpus", Format = "huggingface",
            Epochs = Enumerable.Range(1, 10).Select(e => new LogEpoch
            {
                Epoch = e, TrainLoss = 1.77 / e,
                ValAccuracy = e switch
                {
                    4 => 0.6547619047619048,
                    7 => 0.7380952380952381,
                    10 => 0.7142857142857143,
                    _ => null
                },
                ValLoss = e switch
                {
                    4 => 1.0124708414077759,
                    7 => 0.9043070673942566,
                    10 => 0.926792323589325,
                    _ => null
                },
            }).ToList(),
        };
        Assert.Equal(84, new NoiseModel(log).ValidationSize);
        Assert.Empty(Findings(log, "degradation"));
    }

    // yolo-coal: 94 validation images, 4 classes (top-5 always 1, the first train/loss 1.45 near ln 4 = 1.386).
    static readonly double[] CoalValLoss =
    {
        1.3936, 1.3859, 1.3652, 1.3548, 1.3307, 1.3221, 1.3043, 1.2987, 1.2885, 1.2909, 1.2936, 1.2931, 1.2893,
        1.2806, 1.2744, 1.2686, 1.2752, 1.2758, 1.2741, 1.2858,
    };
    static readonly double[] CoalTop1 =
    {
        0.32979, 0.34043, 0.32979, 0.39362, 0.46809, 0.44681, 0.42553, 0.44681, 0.43617, 0.44681, 0.42553, 0.43617,
        0.44681, 0.45745, 0.47872, 0.46809, 0.46809, 0.45745, 0.45745, 0.43617,
    };

    [Fact]
    public void AValidationLossThatStaysNearLnCIsNearChanceWhereTheAccuracyLeftItLittle()
    {
        var log = Log(CoalTop1, CoalValLoss.Select(l => l * 0.72).ToArray(), CoalValLoss) with { Classes = 4 };
        var f = Findings(log, "underfitting");
        Assert.Equal(Severity.Warning, Assert.Single(f).Severity);
        Assert.Contains("never fell 10 % below ln 4", f[0].Summary);
    }

    [Fact]
    public void AValidationLossWellBelowLnCIsNoChanceLevel()
    {
        // The same accuracies with a validation loss that learned: 1.39 -> 0.95, a third below ln 4.
        var learned = CoalValLoss.Select((l, i) => l - 0.023 * i).ToArray();
        var log = Log(CoalTop1, learned.Select(l => l * 0.72).ToArray(), learned) with { Classes = 4 };
        Assert.DoesNotContain(Findings(log, "underfitting"), f => f.Summary.Contains("ln 4"));
    }

    [Fact]
    public void AnAccuracyDipWhileTheValidationLossFallsOnIsNoDegradation()
    {
        // keras-braintumor-appended's second training (epochs 0-3 at lr 1e-4, ~503 validation images): 36.4, 43.3,
        // 62.2, then 54.5 % while the validation loss falls on (1.003 -> 0.982): a run still learning.
        var val = new[] { 0.36381709575653076, 0.43339958786964417, 0.622266411781311, 0.544731616973877 };
        var train = new[] { 1.2846165895462036, 1.124067783355713, 1.0684159994125366, 1.0325168371200562 };
        var valLoss = new[] { 1.0710299015045166, 1.036825180053711, 1.0028234720230103, 0.9815885424613953 };
        Assert.Empty(Findings(Log(val, train, valLoss, first: 0), "degradation"));
    }

    [Fact]
    public void AFallThatLastsIsStillADegradation()
    {
        // keras-emotion-resnet50: best 62.58 % at epoch 9 (of ~7178 images), then 7 epochs near 60-61 %.
        var val = new[] { 0.469490110874176, 0.35873502492904663, 0.5300919413566589, 0.39732515811920166,
            0.47840625047683716, 0.5576762557029724, 0.5664530396461487, 0.5987740159034729, 0.6032320857048035,
            0.6258010864257812, 0.6202284693717957, 0.6040679812431335, 0.6058790683746338, 0.6100584864616394,
            0.5994706153869629, 0.591947615146637, 0.6005851030349731 };
        var f = Findings(Log(val, first: 0), "degradation");
        Assert.Equal(Severity.Warning, Assert.Single(f).Severity);
        Assert.Contains("binomial on ~7178 validation images", f[0].Noise);
    }

    [Fact]
    public void ALastingJumpInALogWithoutALearningRateIsAScheduleShiftAtAnUnloggedChange()
    {
        // steplr-signs-md: StepLR(gamma 0.1, 7 epochs) stated only in the header; val acc (413 images) 62-76 %,
        // then 81.8 % at epoch 6 and 80-84.5 % for 44 epochs.
        var val = new[] { 0.6223, 0.6126, 0.7554, 0.6925, 0.6707, 0.7022, 0.8184, 0.816, 0.8136, 0.8015, 0.8087,
            0.8208, 0.8208, 0.8232, 0.8257, 0.8257, 0.8257, 0.8136, 0.8208, 0.8354, 0.8232, 0.8305, 0.8184, 0.8378,
            0.8281, 0.8354, 0.8281, 0.8208, 0.816, 0.8232, 0.816, 0.8426, 0.8257, 0.8257, 0.8232, 0.8402, 0.8354,
            0.8281, 0.816, 0.8402, 0.8305, 0.8257, 0.8329, 0.8378, 0.845, 0.8232, 0.8281, 0.8402, 0.8402, 0.8208 };
        var f = Findings(Log(val, first: 0), "schedule-shift");
        Assert.Equal(6, Assert.Single(f).FirstEpoch);
        Assert.Equal(Severity.Info, f[0].Severity);
        Assert.Contains("an unlogged change", f[0].Summary);
    }

    [Fact]
    public void TheSteepClimbOfTheFirstEpochsIsNoUnloggedChange()
    {
        // mnist-example-resnet110-md: 24 % -> 80 % in 20 epochs, +7 points at epoch 8 after +6, +7 and +12 before.
        var val = new[] { 0.2422, 0.3586, 0.4842, 0.5562, 0.6222, 0.632, 0.6446, 0.7137, 0.7165, 0.7215, 0.7321,
            0.747, 0.7547, 0.7584, 0.7512, 0.7666, 0.7816, 0.7931, 0.7503, 0.7964 };
        Assert.Empty(Findings(Log(val), "schedule-shift"));
    }

    [Fact]
    public void AOneBatchTrainingLossThatJumpsWhileValidationHoldsIsNoDivergence()
    {
        // mnist-testset-md (gather6): the printed train loss is the last batch's, 0.00095 at epoch 4 and 0.081 at 6,
        // while the test loss stays 0.02-0.03 and the test accuracy 99.3 %.
        var train = new[] { 0.0825, 0.0139, 0.0232, 0.00095, 0.0343, 0.0809, 0.0409, 0.0531, 0.0030, 0.0124 };
        var valLoss = new[] { 0.0491, 0.0339, 0.0387, 0.0296, 0.0228, 0.0219, 0.0277, 0.0208, 0.0264, 0.0229 };
        var val = new[] { 0.9853, 0.9895, 0.9867, 0.9905, 0.9928, 0.9932, 0.9912, 0.9933, 0.9913, 0.9924 };
        Assert.Empty(Findings(Log(val, train, valLoss), "divergence"));
        // The same jump with the validation loss blowing up with it is one.
        var blown = valLoss.Select((l, i) => i == 5 ? 0.9 : l).ToArray();
        Assert.Single(Findings(Log(val, train, blown), "divergence"));
    }

    [Fact]
    public void TheBestOfFiveNoisyEpochsOverAnEarlierOneIsNoProgress()
    {
        // nb-keras-mushroom (gather4): 482 validation images; the last five 33.2, 33.6, 30.3, 32.0, 30.7 % against
        // 30.3 % before: +3.3 pt, 1.1 SE of a difference, is the noise of a maximum of five.
        var val = new[] { 0.2531, 0.2801, 0.2469, 0.249, 0.3029, 0.332, 0.3361, 0.3029, 0.3195, 0.3071 };
        var f = Findings(Log(val) with { ValidationSize = 482 }, "plateau");
        Assert.Single(f);
        // A climb that is well beyond it is progress: the last five 2 points an epoch above the rest.
        var climbing = val.Select((x, i) => i < 5 ? x : 0.35 + 0.02 * i).ToArray();
        Assert.Empty(Findings(Log(climbing) with { ValidationSize = 482 }, "plateau"));
    }

    [Fact]
    public void ALevelAfterADipIsNoUnloggedChange()
    {
        // tf1-lenet-trafficsign (gather6), epochs 40-56 at a constant learning rate: one dip to 51.6 % at 47, then
        // 65-66 % again: the mean of the 3 epochs before 50 is low, their best is not.
        var val = new[] { 0.640, 0.641, 0.643, 0.642, 0.642, 0.642, 0.636, 0.516, 0.65, 0.615, 0.659, 0.657, 0.659,
            0.658, 0.659, 0.66, 0.659 };
        Assert.Empty(Findings(Log(val, first: 40), "schedule-shift"));
    }
}
