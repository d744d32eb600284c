using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Augment;

/// <summary>The mixing a batch got: the inputs, soft targets, and what was done (for records and tests).</summary>
public sealed record MixResult(Tensor Input, Tensor Target, string Kind, double Lambda);

/// <summary>
/// MixUp (Zhang et al. 2018) and CutMix (Yun et al. 2019) on a batch, with timm's Mixup semantics (mode
/// 'batch'): with probability <c>prob</c> the batch is mixed with itself reversed; when both alphas are set,
/// CutMix is chosen with probability <c>switch_prob</c>; λ ~ Beta(α, α); CutMix pastes a box of area 1-λ and
/// corrects λ to the box actually pasted. Targets are λ·y + (1-λ)·y_reversed over label-smoothed one-hots.
/// </summary>
public static class Mixup
{
    public static MixResult Apply(Tensor x, Tensor labels, int classes, double mixupAlpha, double cutmixAlpha,
        double prob, double switchProb, double smoothing, Random random)
    {
        var target = SmoothOneHot(labels, classes, smoothing);
        bool any = mixupAlpha > 0 || cutmixAlpha > 0;
        if (!any || random.NextDouble() >= prob) return new MixResult(x, target, "none", 1.0);
        bool useCutmix = cutmixAlpha > 0 && (mixupAlpha <= 0 || random.NextDouble() < switchProb);
        double lambda = SampleBeta(useCutmix ? cutmixAlpha : mixupAlpha, random);
        var reversed = x.flip(0);
        Tensor mixed;
        if (useCutmix)
        {
            long h = x.shape[2], w = x.shape[3];
            double cut = Math.Sqrt(1 - lambda);
            long ch = (long)(h * cut), cw = (long)(w * cut);
            long cy = random.NextInt64(h), cx = random.NextInt64(w);
            long y0 = Math.Clamp(cy - ch / 2, 0, h), y1 = Math.Clamp(cy + ch / 2, 0, h);
            long x0 = Math.Clamp(cx - cw / 2, 0, w), x1 = Math.Clamp(cx + cw / 2, 0, w);
            mixed = x.clone();
            if (y1 > y0 && x1 > x0)
                mixed[.., .., (int)y0..(int)y1, (int)x0..(int)x1] = reversed[.., .., (int)y0..(int)y1,
                    (int)x0..(int)x1];
            lambda = 1 - (double)(y1 - y0) * (x1 - x0) / (h * w);
        }
        else mixed = x * lambda + reversed * (1 - lambda);
        var mixedTarget = target * lambda + target.flip(0) * (1 - lambda);
        return new MixResult(mixed, mixedTarget, useCutmix ? "cutmix" : "mixup", lambda);
    }

    /// <summary>timm's smoothed one-hot: off = s/K, on = 1 - s + s/K.</summary>
    public static Tensor SmoothOneHot(Tensor labels, int classes, double smoothing)
    {
        double off = smoothing / classes, on = 1 - smoothing + off;
        return nn.functional.one_hot(labels, classes).to_type(ScalarType.Float32).mul_(on - off).add_(off);
    }

    /// <summary>Cross-entropy against soft targets: mean over the batch of -Σ t·log softmax(logits).</summary>
    public static Tensor SoftTargetCrossEntropy(Tensor logits, Tensor target) =>
        (-target * nn.functional.log_softmax(logits, 1)).sum(1).mean();

    /// <summary>
    /// Beta(α, α) from two Gamma(α) draws (Marsaglia and Tsang), so that it follows the run's seeded generator.
    /// </summary>
    public static double SampleBeta(double alpha, Random random)
    {
        double a = SampleGamma(alpha, random), b = SampleGamma(alpha, random);
        return a + b == 0 ? 0.5 : a / (a + b);
    }

    static double SampleGamma(double shape, Random random)
    {
        if (shape < 1) return SampleGamma(shape + 1, random) * Math.Pow(random.NextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                z = Normal(random);
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            double u = random.NextDouble();
            if (u < 1 - 0.0331 * z * z * z * z || Math.Log(u) < 0.5 * z * z + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
