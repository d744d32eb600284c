using Regimen.Recipes;
using TorchSharp;
using static TorchSharp.torch;
using Generator = TorchSharp.torch.Generator;

namespace Regimen.Augment;

/// <summary>
/// Turns a uint8 batch [N, C, H, W] into the model's float input, on the whole batch at once: scale to [0, 1],
/// the spatial transform to the epoch's resolution (random-resized crop, or resize then padded random crop,
/// with the flip), colour jitter, blur, coarse dropout, normalization, then random erasing (timm's order).
/// Randomness comes from libtorch's global generator, which the training loop seeds per (epoch, step).
/// </summary>
public sealed class BatchAugment
{
    readonly float[] mean, std;

    public BatchAugment(float[] mean, float[] std)
    {
        this.mean = mean;
        this.std = std;
    }

    /// <summary>
    /// How strongly the optional augmentations apply at a level: seed 002's full, reduced and minimal.
    /// </summary>
    public static double LevelFactor(string level) => level switch
    {
        "full" => 1.0,
        "reduced" => 0.5,
        "minimal" => 0.0,
        _ => throw new ArgumentException($"unknown augmentation level '{level}'"),
    };

    public Tensor Train(Tensor images, int resolution, bool augment, string level, AugmentSection a,
        Generator? g = null)
    {
        if (!augment) return Eval(images, resolution);
        var x = images.to_type(ScalarType.Float32).div_(255f);
        if (a.RandomResizedCrop.Enabled)
        {
            var r = a.RandomResizedCrop;
            x = AugmentOps.RandomResizedCrop(x, resolution, r.MinScale, r.MaxScale, r.MinRatio, r.MaxRatio, a.Hflip, g);
        }
        else
        {
            x = Resize(x, resolution);
            if (a.CropPadding > 0) x = AugmentOps.RandomCrop(x, a.CropPadding, g);
            if (a.Hflip > 0) x = AugmentOps.RandomHorizontalFlip(x, a.Hflip, g);
        }
        double f = LevelFactor(level);
        var cj = a.ColorJitter;
        if (cj.P * f > 0) x = AugmentOps.ColorJitter(x, cj.P * f, cj.Brightness, cj.Contrast, cj.Saturation, cj.Hue, g);
        if (a.Blur.P * f > 0)
            x = AugmentOps.Blur(x, a.Blur.P * f, a.Blur.Kind, a.Blur.MaxSigma, a.Blur.MotionLength, g);
        var cd = a.CoarseDropout;
        if (cd.P * f > 0) x = AugmentOps.CoarseDropout(x, cd.P * f, cd.MinHoles, cd.MaxHoles, cd.MaxSize, 0f, g);
        x = Normalize(x);
        var re = a.RandomErasing;
        if (re.P * f > 0) x = AugmentOps.RandomErasing(x, re.P * f, re.MinArea, re.MaxArea, re.MinRatio, g);
        return x;
    }

    /// <summary>The evaluation transform: resize to the resolution and normalize.</summary>
    public Tensor Eval(Tensor images, int resolution) => Normalize(UnitRange(images, resolution));

    /// <summary>Byte images as evaluation sees them before normalization: pixels in [0, 1], resized to the resolution
    /// (what an exported ONNX model, which normalizes itself, takes).</summary>
    public static Tensor UnitRange(Tensor images, int resolution) =>
        Resize(images.to_type(ScalarType.Float32).div_(255f), resolution);

    static Tensor Resize(Tensor x, int resolution) =>
        resolution > 0 && (x.shape[2] != resolution || x.shape[3] != resolution)
            ? nn.functional.interpolate(x, new long[] { resolution, resolution }, mode: InterpolationMode.Bilinear,
                align_corners: false)
            : x;

    public Tensor Normalize(Tensor x)
    {
        using var m = tensor(mean).view(1, -1, 1, 1);
        using var s = tensor(std).view(1, -1, 1, 1);
        return x.sub_(m).div_(s);
    }
}
