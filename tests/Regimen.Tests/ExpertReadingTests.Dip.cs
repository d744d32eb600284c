using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>A train-validation gap that one low last validation epoch opens, on corpus numbers.</summary>
public partial class ExpertReadingTests
{
    // keras1-theano-80class-log: 80 classes, 2,262 training and 589 validation images, 32 epochs; the gap is 2-4.5
    // pt over epochs 25-31 and passes 5 pt only at epoch 32, where validation dips from 93.04 % to 90.15 %.
    static readonly double[] TheanoTrain =
    {
        0.3501, 0.6269, 0.7184, 0.7719, 0.7975, 0.8280, 0.8400, 0.8740, 0.8851, 0.8811, 0.9010, 0.9063, 0.9138,
        0.9063, 0.9120, 0.9302, 0.9244, 0.9332, 0.9350, 0.9302, 0.9341, 0.9390, 0.9434, 0.9456, 0.9492, 0.9478,
        0.9474, 0.9527, 0.9531, 0.9478, 0.9505, 0.9545,
    };
    static readonly double[] TheanoVal =
    {
        0.5739, 0.6927, 0.7674, 0.7895, 0.8132, 0.8234, 0.8285, 0.8421, 0.8676, 0.8591, 0.8744, 0.8744, 0.9219,
        0.8812, 0.8930, 0.8778, 0.8812, 0.9151, 0.8862, 0.8795, 0.8761, 0.8913, 0.8998, 0.8659, 0.9117, 0.9032,
        0.9100, 0.9304, 0.9083, 0.9219, 0.9304, 0.9015,
    };
    static readonly double[] TheanoValLoss =
    {
        1.6604, 1.1472, 0.9587, 0.7824, 0.8557, 0.7764, 0.7075, 0.5437, 0.6255, 0.5763, 0.5547, 0.5933, 0.3460,
        0.5360, 0.5125, 0.5976, 0.4773, 0.4441, 0.4689, 0.5013, 0.5784, 0.4850, 0.4759, 0.6445, 0.4443, 0.5921,
        0.4172, 0.4204, 0.4320, 0.4387, 0.3499, 0.4368,
    };
    static readonly double[] TheanoTrainLoss =
    {
        2.6841, 1.4127, 1.0151, 0.8085, 0.6973, 0.5814, 0.5229, 0.4445, 0.3952, 0.3848, 0.3058, 0.3172, 0.2779,
        0.3166, 0.2643, 0.2216, 0.2429, 0.2016, 0.2070, 0.2079, 0.1856, 0.1866, 0.1877, 0.1563, 0.1705, 0.1557,
        0.1619, 0.1236, 0.1410, 0.1538, 0.1571, 0.1466,
    };

    static TrainingLog Theano(int epochs, Func<int, double> train, Func<int, double> val) => new()
    {
        Name = "real", Source = "corpus", Format = "text", ValidationSize = 589,
        Epochs = Enumerable.Range(0, epochs).Select(i => new LogEpoch
        {
            Epoch = i + 1, TrainAccuracy = train(i), ValAccuracy = val(i),
            TrainLoss = TheanoTrainLoss[Math.Min(i, 31)], ValLoss = TheanoValLoss[Math.Min(i, 31)],
        }).ToList(),
    };

    [Fact]
    public void AGapThatOneLowLastValidationEpochOpensIsNoOverfitting()
    {
        Assert.Empty(Findings(Theano(32, i => TheanoTrain[i], i => TheanoVal[i]), "overfitting"));
    }

    [Fact]
    public void AGapThatTheNextEpochKeepsOpenIsOverfittingAgain()
    {
        // The same run with two more epochs that stay 5.5 pt apart: no longer one low epoch.
        var log = Theano(34, i => i < 32 ? TheanoTrain[i] : 0.9560, i => i < 32 ? TheanoVal[i] : 0.9010);
        Assert.Single(Findings(log, "overfitting"));
    }
}
