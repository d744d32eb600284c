using Regimen.Augment;
using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Tests;

public class AugmentTests
{
    static Tensor Ramp(int n = 8, int c = 3, int h = 16, int w = 16)
    {
        manual_seed(1);
        return rand(n, c, h, w);
    }

    [Fact]
    public void RandomResizedCropWithFullScaleAndNoFlipIsTheIdentity()
    {
        var x = Ramp();
        var y = AugmentOps.RandomResizedCrop(x, 16, 1.0, 1.0, 1.0, 1.0, flip: 0);
        Assert.True(y.allclose(x, rtol: 1e-4, atol: 1e-5));
        var flipped = AugmentOps.RandomResizedCrop(x, 16, 1.0, 1.0, 1.0, 1.0, flip: 1);
        Assert.True(flipped.allclose(x.flip(3), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void RandomResizedCropResizesToTheRequestedSize()
    {
        var y = AugmentOps.RandomResizedCrop(Ramp(), 24, 0.08, 1.0, 0.75, 4.0 / 3, 0.5);
        Assert.Equal(new long[] { 8, 3, 24, 24 }, y.shape);
    }

    [Fact]
    public void CoarseDropoutZeroesBoxesNoLargerThanMaxSize()
    {
        var x = ones(64, 1, 20, 20);
        manual_seed(3);
        var y = AugmentOps.CoarseDropout(x, p: 1.0, minHoles: 1, maxHoles: 1, maxSize: 0.25);
        var zeros = y.eq(0).sum(new long[] { 1, 2, 3 }).data<long>().ToArray();
        Assert.All(zeros, z => Assert.InRange(z, 1, 25));          // one hole, each side at most 5 pixels
        var none = AugmentOps.CoarseDropout(x, p: 0.0, minHoles: 1, maxHoles: 3, maxSize: 0.3);
        Assert.True(none.eq(x).all().item<bool>());
        var many = AugmentOps.CoarseDropout(x, p: 1.0, minHoles: 3, maxHoles: 3, maxSize: 0.3);
        Assert.True(many.eq(0).sum().item<long>() > y.eq(0).sum().item<long>());
    }

    [Fact]
    public void RandomErasingFillsOneBoxWithNoiseWithinTheAreaRange()
    {
        var x = full(32, 1, 20, 20, 5f);
        manual_seed(4);
        var y = AugmentOps.RandomErasing(x, p: 1.0, minArea: 0.1, maxArea: 0.2, minRatio: 0.5);
        var erased = y.ne(5f).sum(new long[] { 1, 2, 3 }).data<long>().ToArray();
        // Rounding the box sides can move the area a little beyond [40, 80] pixels of 400.
        Assert.All(erased, e => Assert.InRange(e, 25, 100));
    }

    [Fact]
    public void ColorJitterWithZeroStrengthOrProbabilityChangesNothing()
    {
        var x = Ramp();
        Assert.True(AugmentOps.ColorJitter(x, 1.0, 0, 0, 0, 0).allclose(x));
        Assert.True(AugmentOps.ColorJitter(x, 0.0, 0.5, 0.5, 0.5, 0.1).allclose(x));
        var y = AugmentOps.ColorJitter(x, 1.0, 0.5, 0.5, 0.5, 0.1);
        Assert.False(y.allclose(x));
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1);
    }

    [Fact]
    public void BrightnessScalesPixels()
    {
        var x = full(4, 1, 4, 4, 0.5f);
        manual_seed(5);
        var y = AugmentOps.ColorJitter(x, 1.0, 0.4, 0, 0, 0);
        var values = y.mean(new long[] { 1, 2, 3 }).data<float>().ToArray();
        Assert.All(values, v => Assert.InRange(v, 0.5f * 0.6f - 1e-5f, 0.5f * 1.4f + 1e-5f));
    }

    [Fact]
    public void GaussianBlurKernelIsNormalizedAndBlurKeepsConstantsConstant()
    {
        var k = AugmentOps.GaussianKernel(1.0);
        Assert.Equal(1.0, k.sum().item<float>(), 4);
        var x = full(2, 3, 12, 12, 0.3f);
        var y = AugmentOps.Blur(x, 1.0, "gaussian", 2.0, 5);
        Assert.True(y.allclose(x, atol: 1e-5));
        var m = AugmentOps.MotionKernel(5);
        Assert.Equal(1.0, m.sum().item<float>(), 4);
        var sharp = zeros(1, 1, 21, 21);
        sharp[0, 0, 10, 10] = tensor(1f);
        // sigma is drawn in [0.1, max_sigma]: at 0.1 the kernel is (numerically) the identity, so only mass is checked
        // here...
        using var g = new TorchSharp.torch.Generator(42);
        var spread = AugmentOps.Blur(sharp, 1.0, "gaussian", 1.5, 5, g);
        Assert.True(spread[0, 0, 10, 10].item<float>() <= 1f);
        Assert.Equal(1.0, spread.sum().item<float>(), 3);
        // ... and the spreading on a kernel of known sigma.
        var wide = AugmentOps.GaussianKernel(1.5);
        int c = (int)wide.shape[0] / 2;
        Assert.InRange(wide[c, c].item<float>(), 0.05f, 0.1f);   // 1 / (2 pi 1.5^2) = 0.0707
    }

    [Fact]
    public void MixupMixesInputsAndTargetsWithTheSameLambda()
    {
        var x = stack(new[] { zeros(1, 4, 4), ones(1, 4, 4) });
        var labels = tensor(new long[] { 0, 1 });
        var mix = Mixup.Apply(x, labels, 2, mixupAlpha: 0.4, cutmixAlpha: 0, prob: 1, switchProb: 0.5, smoothing: 0,
            new Random(3));
        Assert.Equal("mixup", mix.Kind);
        double lambda = mix.Lambda;
        Assert.Equal(1 - lambda, mix.Input[0].mean().item<float>(), 4);   // 0·λ + 1·(1-λ)
        Assert.Equal(lambda, mix.Target[0, 0].item<float>(), 4);
        Assert.Equal(1 - lambda, mix.Target[0, 1].item<float>(), 4);
        Assert.Equal(1.0, mix.Target.sum(1)[0].item<float>(), 5);
    }

    [Fact]
    public void CutmixLambdaIsTheFractionOfPixelsKept()
    {
        var x = stack(new[] { zeros(1, 10, 10), ones(1, 10, 10) });
        var labels = tensor(new long[] { 0, 1 });
        for (int seed = 0; seed < 10; seed++)
        {
            var mix = Mixup.Apply(x, labels, 2, 0, 1.0, 1, 0.5, 0, new Random(seed));
            Assert.Equal("cutmix", mix.Kind);
            double pasted = mix.Input[0].sum().item<float>() / 100.0;   // image 0 got ones pasted from image 1
            Assert.Equal(1 - pasted, mix.Lambda, 6);
            Assert.Equal(mix.Lambda, mix.Target[0, 0].item<float>(), 5);
        }
    }

    [Fact]
    public void MixupProbabilityAndSmoothingFollowTimm()
    {
        var x = rand(4, 1, 4, 4);
        var labels = tensor(new long[] { 0, 1, 2, 3 });
        var none = Mixup.Apply(x, labels, 4, 0.2, 0, prob: 0, switchProb: 0.5, smoothing: 0.1, new Random(1));
        Assert.Equal("none", none.Kind);
        Assert.Equal(1 - 0.1 + 0.1 / 4, none.Target[0, 0].item<float>(), 5);
        Assert.Equal(0.1 / 4, none.Target[0, 1].item<float>(), 5);
        int cutmix = 0;
        for (int s = 0; s < 200; s++)
            if (Mixup.Apply(x, labels, 4, 0.4, 1.0, 1, 0.5, 0, new Random(s)).Kind == "cutmix") cutmix++;
        Assert.InRange(cutmix, 70, 130);   // switch_prob 0.5
    }

    [Fact]
    public void BetaSamplesHaveTheRightMean()
    {
        var random = new Random(11);
        double sum = 0;
        for (int i = 0; i < 4000; i++) sum += Mixup.SampleBeta(0.4, random);
        Assert.Equal(0.5, sum / 4000, 1);
    }

    [Fact]
    public void SoftTargetCrossEntropyEqualsCrossEntropyForHardTargets()
    {
        manual_seed(2);
        var logits = randn(6, 5);
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 0 });
        var soft = Mixup.SoftTargetCrossEntropy(logits, Mixup.SmoothOneHot(labels, 5, 0.1));
        var hard = nn.functional.cross_entropy(logits, labels, label_smoothing: 0.1);
        Assert.Equal(hard.item<float>(), soft.item<float>(), 4);
    }
}
