using Regimen.Analysis;
using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>
/// Underfitting as an expert reads it, on real corpus numbers (Corpus/README.md, batches gather4-8): converging runs
/// are not unfinished, runs still climbing or not fitting their training data are, and chance is a constant answer.
/// </summary>
public partial class ExpertReadingTests
{
    static TrainingLog Run(double[] val, double[]? trainAcc = null, double[]? trainLoss = null,
        double[]? valLoss = null, double[]? lr = null, int first = 1) => new()
        {
            Name = "real", Source = "corpus", Format = "csv",
            Epochs = val.Select((v, i) => new LogEpoch
            {
                Epoch = first + i, ValAccuracy = v, TrainAccuracy = trainAcc?[i], TrainLoss = trainLoss?[i],
                ValLoss = valLoss?[i], LearningRate = lr?[i],
            }).ToList(),
        };

    [Fact]
    public void GainsThatHalveEveryEpochAreARunConvergingNotOneCutShort()
    {
        // nb-torch-mnist-mlp: 12,000 validation images, gains of 1.9, 0.9, 0.6 and 0.3 pt.
        var log = Run(new[] { 0.9322, 0.9509, 0.9603, 0.9662, 0.9692 },
            trainAcc: new[] { 0.9415, 0.9637, 0.9726, 0.9812, 0.9833 },
            trainLoss: new[] { 0.3727, 0.1746, 0.122, 0.0922, 0.0727 });
        Assert.Empty(Findings(log, "underfitting"));
    }

    [Fact]
    public void ARunStillClimbingSeveralPointsAnEpochAtTheEndIsUnderfitting()
    {
        // keras-retina-lr, epochs 10-19: val_accuracy +1.9 to +3.1 pt per epoch, the lr halved at 12 and 18.
        var val = new[] { 0.68225, 0.72139, 0.73888, 0.7749, 0.79811, 0.833, 0.8587, 0.87764, 0.89683, 0.92791 };
        var trainAcc = new[] { 0.73469, 0.76945, 0.79132, 0.81129, 0.83447, 0.85056, 0.87477, 0.8933, 0.91489,
            0.93025 };
        var trainLoss = new[] { 0.44735, 0.3869, 0.3371, 0.26562, 0.24526, 0.2364, 0.21331, 0.15071, 0.14476, 0.13508 };
        var valLoss = new[] { 0.46745, 0.40009, 0.34445, 0.30282, 0.27176, 0.25938, 0.21617, 0.18286, 0.16699,
            0.11779 };
        var lr = new[] { 3e-4, 3e-4, 1.5e-4, 1.5e-4, 1.5e-4, 1.5e-4, 1.5e-4, 1.5e-4, 7.5e-5, 7.5e-5 };
        var f = Assert.Single(Findings(Run(val, trainAcc, trainLoss, valLoss, lr, first: 10), "underfitting"));
        Assert.Equal(Severity.Warning, f.Severity);
    }

    [Fact]
    public void AModelThatDoesNotFitItsTrainingImagesYetIsUnderfitting()
    {
        // logging-flowers102-2models run 1: 33 % training and 39 % validation accuracy on 102 flowers after 10
        // epochs, training loss still falling 3-5 % per epoch.
        var val = new[] { 0.0562, 0.1406, 0.165, 0.22, 0.2482, 0.3154, 0.3301, 0.3802, 0.379, 0.3888 };
        var trainAcc = new[] { 0.0232, 0.0641, 0.1206, 0.1552, 0.1871, 0.2326, 0.2651, 0.2796, 0.3144, 0.3339 };
        var trainLoss = new[] { 4.3613, 3.898, 3.5652, 3.3562, 3.1962, 2.9568, 2.8134, 2.7583, 2.6147, 2.5239 };
        var valLoss = new[] { 4.1627, 3.5754, 3.2778, 3.0432, 2.8851, 2.6186, 2.5043, 2.3878, 2.3295, 2.336 };
        var f = Assert.Single(Findings(Run(val, trainAcc, trainLoss, valLoss), "underfitting"));
        Assert.Contains("does not fit even its training images", f.Summary);
    }

    [Fact]
    public void ALowTrainingAccuracyWhileValidationGetsWorseIsNoUnderfitting()
    {
        // nb-keras-mushroom: training accuracy climbs to 45 % while validation loss rises 21 % from epoch 5.
        var val = new[] { 0.2531, 0.2801, 0.2469, 0.249, 0.3029, 0.332, 0.3361, 0.3029, 0.3195, 0.3071 };
        var trainAcc = new[] { 0.1746, 0.2219, 0.2634, 0.3063, 0.3401, 0.3618, 0.389, 0.4104, 0.4339, 0.4458 };
        var trainLoss = new[] { 5.6296, 2.0477, 1.9861, 1.8668, 1.7657, 1.6867, 1.6242, 1.5783, 1.5435, 1.5182 };
        var valLoss = new[] { 2.0719, 2.0527, 1.9967, 2.032, 1.9642, 2.0029, 2.0165, 2.0095, 2.0631, 2.3795 };
        var findings = Analyst.Analyze(Run(val, trainAcc, trainLoss, valLoss)).Findings;
        Assert.Contains(findings, f => f.Kind == "overfitting");
        Assert.DoesNotContain(findings, f => f.Kind == "underfitting");
    }

    [Fact]
    public void ARunThatStartsHighAndMovesEveryEpochNeverSatAtChance()
    {
        // lightning-trash-cosine: 97.09 % -> 98.38 % on 1,545 images, its loss at a label-smoothing floor.
        var val = new[] { 0.97087, 0.9754, 0.9754, 0.97152, 0.97605, 0.97864, 0.98252, 0.98188, 0.98317, 0.98382 };
        var trainLoss = new[] { 0.86312, 0.73995, 0.70259, 0.74682, 0.716, 0.68318, 0.70112, 0.71321, 0.66434,
            0.70601 };
        var valLoss = new[] { 1.25797, 1.25642, 1.25184, 1.2627, 1.25261, 1.23873, 1.22707, 1.22863, 1.22874,
            1.22852 };
        Assert.Empty(Findings(Run(val, trainLoss: trainLoss, valLoss: valLoss, first: 0), "underfitting"));
    }

    [Fact]
    public void BothFirstLossesAtLnTwoImplyTwoClassesAndAnAccuracyThatBarelyLeftHalfIsNearChance()
    {
        // pandas-drowsiness-noepoch, the first 12 and last 8 of 39 epochs: 26/47 in most epochs, losses at ln 2.
        var val = new[] { 0.55319, 0.55319, 0.55319, 0.55319, 0.55319, 0.55319, 0.55319, 0.55319, 0.55319, 0.55319,
            0.55319, 0.55319, 0.57447, 0.59574, 0.61702, 0.61702, 0.61702, 0.61702, 0.59574, 0.6383 };
        var trainLoss = new[] { 0.69049, 0.69595, 0.70663, 0.70178, 0.68547, 0.6826, 0.67267, 0.68158, 0.70594,
            0.67459, 0.68447, 0.69073, 0.64863, 0.64307, 0.66401, 0.67443, 0.63345, 0.66006, 0.67272, 0.66294 };
        var valLoss = new[] { 0.68991, 0.68755, 0.6858, 0.68526, 0.68499, 0.68479, 0.68429, 0.68372, 0.68319, 0.68223,
            0.68102, 0.67996, 0.6678, 0.666, 0.66493, 0.66413, 0.66399, 0.66457, 0.66602, 0.66762 };
        var f = Assert.Single(Findings(Run(val, trainLoss: trainLoss, valLoss: valLoss), "underfitting"));
        Assert.Contains("ln 2", f.Summary);
    }

    [Fact]
    public void AnAccuracyFlatAtExactlyOneFifthIsChanceAmongFiveClasses()
    {
        // keras-chance-resumed: val_accuracy 0.2000000 in all 8 epochs of a resumed run (epochs 10-17).
        var val = Enumerable.Repeat(0.2, 8).ToArray();
        var trainAcc = new[] { 0.19972, 0.21225, 0.19555, 0.21781, 0.21225, 0.21016, 0.20738, 0.20598 };
        var trainLoss = new[] { 2.01697, 1.83405, 1.83262, 1.77907, 1.77184, 1.76344, 1.77004, 1.76181 };
        var valLoss = new[] { 3.91192, 2.22205, 1.8103, 1.65523, 1.67944, 1.67927, 1.6661, 1.6969 };
        var f = Assert.Single(Findings(Run(val, trainAcc, trainLoss, valLoss, first: 10), "underfitting"));
        Assert.Contains("ln 5", f.Summary);
    }
}
