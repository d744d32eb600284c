using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>Degradation judged against the run's own swings near its end, on the numbers of corpus logs.</summary>
public partial class ExpertReadingTests
{
    [Fact]
    public void ALastEpochFallNoLargerThanTheRunsOwnSwingsIsNoDegradation()
    {
        // mmengine-fruit-oscillation: top-1 on 4,375 images (binomial SE 0.55 pt) swings 1.3-3.0 pt from epoch 5; the
        // last epoch's 1.76-pt fall from the best is one of those swings (3.2 SE of the binomial alone).
        var val = new[] { 0.7664, 0.80046, 0.81623, 0.90011, 0.9216, 0.90834, 0.88663, 0.91657, 0.93806, 0.92046 };
        Assert.Empty(Findings(Log(val) with { ValidationSize = 4375 }, "degradation"));
    }

    [Fact]
    public void AFinalValueInsideSwingsOfFivePointsIsNoDegradation()
    {
        // keras-pcam-oscillation: val_accuracy on 44,005 tiles (SE 0.16 pt) best 89.6 % at epoch 5, then 80-88 %;
        // it ends at 87.9 %, 1.7 pt under the best, inside adjacent swings of 5-8 pt.
        var val = new[] { 0.73044, 0.77689, 0.82877, 0.81652, 0.84872, 0.89601, 0.84313, 0.86402, 0.88338, 0.80475,
            0.87586, 0.87763, 0.8267, 0.79975, 0.87904 };
        var valLoss = new[] { 1.505, 0.8405, 0.5821, 0.6287, 0.4755, 0.3605, 0.5403, 0.4161, 0.3726, 0.5512, 0.3639,
            0.3947, 0.4667, 0.5497, 0.3969 };
        Assert.Empty(Findings(Log(val, valLoss: valLoss, first: 0) with { ValidationSize = 44005 }, "degradation"));
    }

    [Fact]
    public void AFallBeyondTheSwingsOfTheEndIsStillADegradation()
    {
        // keras-emotion-resnet50: best 62.6 % at epoch 9, then 59.2-62.0 % (swings of about 1 pt), ending 2.5 pt
        // under the best on ~7,000 images while the validation loss rises from its minimum.
        var val = new[] { 0.46949, 0.358735, 0.530092, 0.397325, 0.478406, 0.557676, 0.566453, 0.598774, 0.603232,
            0.625801, 0.620228, 0.604068, 0.605879, 0.610058, 0.599471, 0.591948, 0.600585 };
        var valLoss = new[] { 1.4436, 7.4172, 1.2864, 1.5442, 1.62, 1.1484, 1.1709, 1.0636, 1.0713, 1.048, 1.024,
            1.073, 1.0445, 1.0522, 1.1142, 1.1289, 1.0745 };
        Assert.Single(Findings(Log(val, valLoss: valLoss, first: 0) with { ValidationSize = 7178 }, "degradation"));
        // beit-mobilenetv3-infinity: climbing with swings of about 2 pt to 55.8 % at epoch 31, then 52.2, 53.9 and
        // 50.4 % on 10,000 images: the end is below the best by more than the swings.
        var beit = new[] { 0.0175, 0.0419, 0.0719, 0.1094, 0.1507, 0.1625, 0.1638, 0.2416, 0.2015, 0.2782, 0.304,
            0.3202, 0.3301, 0.3643, 0.2584, 0.3793, 0.3697, 0.3801, 0.384, 0.4306, 0.4447, 0.4595, 0.4455, 0.4824,
            0.4783, 0.4781, 0.5187, 0.509, 0.5287, 0.5498, 0.5564, 0.5582, 0.5219, 0.5388, 0.5039 };
        Assert.Single(Findings(Log(beit, first: 0) with { ValidationSize = 10000 }, "degradation"));
    }
}
