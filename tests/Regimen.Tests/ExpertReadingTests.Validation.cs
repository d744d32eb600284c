using Regimen.Analysis;
using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>
/// Session 26's false alarms on real corpus numbers (Corpus/README.md, batches gather7 and gather8), each beside a
/// true verdict of the same kind that is still found.
/// </summary>
public partial class ExpertReadingTests
{
    static TrainingLog Full(double[] trainAcc, double[] val, double[] trainLoss, double[] valLoss) => new()
    {
        Name = "real", Source = "corpus", Format = "text",
        Epochs = val.Select((v, i) => new LogEpoch
        {
            Epoch = 1 + i, TrainAccuracy = trainAcc[i], ValAccuracy = v, TrainLoss = trainLoss[i],
            ValLoss = valLoss[i],
        }).ToList(),
    };

    [Fact]
    public void AGapThatStaysPutWhileValidationStillImprovesIsNoOverfitting()
    {
        // lunglog-ct-healthy-txt: a 5.5-7.3 pt gap from epoch 6 on, validation loss lowest at 19 of 20, accuracy best
        // at 19.
        var trainAcc = new[] { 0.8125, 0.8782, 0.9008, 0.9187, 0.9264, 0.9451, 0.9524, 0.96, 0.9709, 0.9736, 0.9775,
            0.9806, 0.983, 0.9825, 0.9876, 0.9885, 0.9918, 0.993, 0.9936, 0.9954 };
        var val = new[] { 0.8664, 0.8681, 0.8672, 0.8867, 0.8867, 0.8879, 0.8859, 0.9046, 0.9046, 0.9099, 0.918,
            0.9135, 0.9135, 0.9091, 0.9233, 0.9216, 0.9277, 0.9314, 0.9367, 0.935 };
        var trainLoss = new[] { 0.5338, 0.3111, 0.2465, 0.2068, 0.1909, 0.1545, 0.136, 0.1243, 0.1028, 0.0938, 0.084,
            0.0731, 0.0666, 0.0652, 0.0556, 0.048, 0.0404, 0.0373, 0.0334, 0.0292 };
        var valLoss = new[] { 0.4083, 0.3838, 0.3102, 0.275, 0.246, 0.2447, 0.269, 0.2187, 0.2121, 0.2046, 0.1984,
            0.2107, 0.2202, 0.1983, 0.1628, 0.1734, 0.1675, 0.1598, 0.1546, 0.1596 };
        var findings = Analyst.Analyze(Full(trainAcc, val, trainLoss, valLoss)).Findings;
        Assert.DoesNotContain(findings, f => f.Kind == "overfitting");
        var gap = Assert.Single(findings, f => f.Kind == "train-val-gap");
        Assert.Equal(Severity.Info, gap.Severity);
        Assert.Contains("still at its best", gap.Summary);
    }

    [Fact]
    public void AGapThatKeepsWideningWhileValidationCreepsUpIsStillOverfitting()
    {
        // nb-torch-food20, epochs 17-29: validation accuracy and loss best at the last epoch, but the gap grows from
        // 5.2 pt (epoch 20) to 16.3 pt while the training loss falls 33 % and the validation loss 6 %.
        var trainAcc = new[] { 0.5362, 0.5446, 0.5696, 0.592, 0.6109, 0.6155, 0.6379, 0.6465, 0.682, 0.6936, 0.7154,
            0.7276, 0.7428 };
        var val = new[] { 0.435, 0.4881, 0.5119, 0.5404, 0.5285, 0.5285, 0.5388, 0.5214, 0.5483, 0.5531, 0.5618,
            0.5792, 0.58 };
        var trainLoss = new[] { 1.5201, 1.4489, 1.3982, 1.3512, 1.2891, 1.2328, 1.1633, 1.1283, 1.0532, 1.024, 0.9386,
            0.8922, 0.8576 };
        var valLoss = new[] { 1.8502, 1.7188, 1.5856, 1.5412, 1.5364, 1.4855, 1.506, 1.5482, 1.4934, 1.4583, 1.4595,
            1.4701, 1.4385 };
        var f = Assert.Single(Analyst.Analyze(Full(trainAcc, val, trainLoss, valLoss)).Findings,
            x => x.Kind == "overfitting");
        Assert.Equal(Severity.Critical, f.Severity);
    }

    [Fact]
    public void AOneEpochSpikeOfTheLossesOnTwentyValidationImagesIsNoDivergence()
    {
        // keras-cleanroom-20val-ipynb: 20 validation images, val_loss 0.16-0.56 from epoch to epoch; at epoch 9 it is
        // 3.2x its minimum and the training loss 2.3x its own, back at 0.25 and 0.21 the next epoch.
        var trainAcc = new[] { 0.93, 0.84, 0.8, 0.89, 0.92, 0.98, 0.95, 0.96, 0.94, 0.89, 0.92, 0.9, 0.94, 0.98, 0.93,
            0.96, 0.96, 0.97, 0.98, 0.96, 0.98, 0.94, 1, 0.99, 0.98 };
        var val = new[] { 0.85, 0.85, 0.8, 0.75, 0.9, 0.9, 0.8, 0.75, 0.8, 0.9, 0.85, 0.9, 0.9, 0.9, 0.9, 0.75, 0.8,
            0.8, 0.85, 0.95, 0.85, 0.9, 0.8, 0.8, 0.9 };
        var trainLoss = new[] { 0.2118, 0.3131, 0.3402, 0.3585, 0.1771, 0.1217, 0.1417, 0.1444, 0.2752, 0.2105, 0.211,
            0.2036, 0.1303, 0.0605, 0.2517, 0.1256, 0.0848, 0.0714, 0.0643, 0.1305, 0.0676, 0.1148, 0.0412, 0.0424,
            0.0744 };
        var valLoss = new[] { 0.244, 0.4651, 0.4322, 0.4793, 0.2104, 0.1627, 0.3059, 0.5555, 0.5228, 0.2532, 0.257,
            0.2469, 0.2536, 0.2861, 0.1711, 0.4206, 0.371, 0.5582, 0.3481, 0.1594, 0.281, 0.2167, 0.5582, 0.4845,
            0.201 };
        Assert.Empty(Findings(Full(trainAcc, val, trainLoss, valLoss), "divergence"));
    }

    [Fact]
    public void AValidationLossThatIsNaNInEveryEpochIsNotLoggedNotADivergence()
    {
        // yolo-stat4012-3runs: val/loss is nan in every row while train/loss falls 2.36 -> 2.13.
        var train = new[] { 2.3647, 2.279, 2.2248, 2.1961, 2.1783, 2.1657, 2.1544, 2.1447, 2.1357, 2.1276 };
        var val = new[] { 0.30357, 0.31288, 0.32197, 0.33178, 0.34064, 0.34595, 0.34872, 0.35018, 0.35102, 0.35127 };
        var analysis = Analyst.Analyze(Log(val, train, train.Select(_ => double.NaN).ToArray()));
        Assert.DoesNotContain(analysis.Findings, f => f.Kind == "divergence");
        Assert.Contains(analysis.Unchecked, u => u.Contains("NaN in every epoch"));
        // A loss that becomes NaN after finite epochs is still a blow-up.
        var blown = train.Select((t, i) => i < 6 ? t : double.NaN).ToArray();
        var f = Assert.Single(Findings(Log(val, blown, blown), "divergence"));
        Assert.Equal(7, f.FirstEpoch);
    }
}

public partial class ExpertReadingTests
{
    [Fact]
    public void SwingsThatDwarfTheClimbAreAnOscillationThroughTheTrend()
    {
        // keras-lung-oscillation: 258 validation images (steps of 1/258), val_accuracy 59, 39, 80, 86, 66, 93, 85,
        // 95, 95, 87 %: a climb of 4 pt an epoch through swings of 17.
        var val = new[] { 0.59302, 0.39147, 0.79845, 0.86047, 0.66279, 0.93023, 0.85271, 0.94961, 0.94574, 0.86822 };
        var f = Assert.Single(Findings(Log(val, first: 0), "oscillation"));
        Assert.Equal(Severity.Warning, f.Severity);
    }

    [Fact]
    public void OnePointSwingsOnFiftyThousandImagesWhileClimbingAreTheTrainingsNoise()
    {
        // imagenet-resnet50-md, epochs 21-30: Acc@1 on the 50,000 ImageNet validation images climbs 0.3 pt an epoch
        // with swings of 1 pt at lr 0.05.
        var val = new[] { 0.56264, 0.57904, 0.58126, 0.56912, 0.57878, 0.58548, 0.59512, 0.58082, 0.59692, 0.59278 };
        Assert.Empty(Findings(Log(val, first: 21), "oscillation"));
    }
}

public partial class ExpertReadingTests
{
    [Fact]
    public void ATrainingLossThatBlowsUpWhileValidationNeverMovesIsADivergence()
    {
        // tqdm-eva8-ultimus-chance: test loss 0.0046 and test accuracy 10.00 % in every epoch; the training loss
        // 2.36 -> 8.65 at the one-cycle peak (epoch 6) and 9.1-9.5 to the end.
        var train = new[] { 2.43028, 2.39175, 2.35571, 3.16005, 3.04436, 8.65359, 8.55761, 8.46161, 8.4044, 8.34502,
            9.5044, 9.25818, 9.14051, 9.06199, 8.99962, 9.35277 };
        var val = train.Select(_ => 0.1).ToArray();
        var f = Assert.Single(Findings(Log(val, train, train.Select(_ => 0.0046).ToArray()), "divergence"));
        Assert.Equal(6, f.FirstEpoch);
    }
}
