using Regimen.Analysis;
using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>The overfitting gap of a run whose held-out set is evaluated every few epochs, on corpus numbers.</summary>
public partial class ExpertReadingTests
{
    // loop-cifar10-test-every5: ResNet-18 on CIFAR-10, training accuracy every epoch, the test set every 5 epochs.
    static readonly double[] Every5Train =
    {
        0.49672, 0.64236, 0.71018, 0.75632, 0.78292, 0.80404, 0.81992, 0.83012, 0.84094, 0.84848, 0.8565, 0.86378,
        0.86786, 0.87224, 0.87852, 0.88272, 0.88588, 0.89002, 0.89254, 0.89626, 0.89974, 0.90304, 0.90488, 0.90634,
        0.91136, 0.91224, 0.91458, 0.91564, 0.9159, 0.9196, 0.92098, 0.9213, 0.92408, 0.92754, 0.92726, 0.92848,
        0.92972, 0.934, 0.93314, 0.9366, 0.93584, 0.93782, 0.93712, 0.94112, 0.9403, 0.94216, 0.9422, 0.94352,
        0.94472, 0.94338,
    };
    static readonly double[] Every5Test =
        { 0.7682, 0.817, 0.8442, 0.8602, 0.8722, 0.8698, 0.8736, 0.8793, 0.877, 0.8801 };
    static readonly double[] Every5TestLoss =
        { 0.6848, 0.5411, 0.4587, 0.4118, 0.3984, 0.3936, 0.3847, 0.3719, 0.3734, 0.3731 };

    static TrainingLog Every5(double[] testLoss) => new()
    {
        Name = "real", Source = "corpus", Format = "text",
        Epochs = Every5Train.Select((t, i) => new LogEpoch
        {
            Epoch = i + 1, TrainAccuracy = t,
            ValAccuracy = (i + 1) % 5 == 0 ? Every5Test[i / 5] : null,
            ValLoss = (i + 1) % 5 == 0 ? testLoss[i / 5] : null,
        }).ToList(),
    };

    [Fact]
    public void AGapBesideATestLossFlatBetweenSparseEvaluationsIsTheGeneralizationGap()
    {
        // The test accuracy ends at its best (88.01 %) and the test loss a rounding above its minimum (0.3731 at
        // epoch 50, 0.3719 at 40): the 6.3-pt gap is no memorization.
        var findings = Analyst.Analyze(Every5(Every5TestLoss)).Findings;
        Assert.DoesNotContain(findings, f => f.Kind == "overfitting");
        Assert.Contains(findings, f => f.Kind == "train-val-gap");
    }

    [Fact]
    public void AGapBesideASparseTestLossThatRoseIsStillOverfitting()
    {
        // The same run with a test loss that rose after epoch 40 beyond its noise (0.3719 -> 0.39 -> 0.41).
        var rose = Every5TestLoss.Take(8).Concat(new[] { 0.39, 0.41 }).ToArray();
        Assert.Single(Findings(Every5(rose), "overfitting"));
    }
}
