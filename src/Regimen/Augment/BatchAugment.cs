using Regimen.Recipes;
using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Augment;

/// <summary>
/// Turns a uint8 batch [N, C, H, W] into the model's float input, on the whole batch at once: scale to [0, 1],
/// resize to the epoch's resolution, the training augmentations when they are on, then normalization.
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

    public Tensor Train(Tensor images, int resolution, bool augment, AugmentSection a)
    {
        var x = ToFloat(images, resolution);
        if (augment)
        {
            if (a.CropPadding > 0) x = RandomCrop(x, a.CropPadding);
            if (a.Hflip > 0) x = RandomHorizontalFlip(x, a.Hflip);
        }
        return Normalize(x);
    }

    public Tensor Eval(Tensor images, int resolution) => Normalize(ToFloat(images, resolution));

    static Tensor ToFloat(Tensor images, int resolution)
    {
        var x = images.to_type(ScalarType.Float32).div_(255f);
        if (resolution > 0 && (x.shape[2] != resolution || x.shape[3] != resolution))
            x = nn.functional.interpolate(x, new long[] { resolution, resolution }, mode: InterpolationMode.Bilinear, align_corners: false);
        return x;
    }

    public Tensor Normalize(Tensor x)
    {
        using var m = tensor(mean).view(1, -1, 1, 1);
        using var s = tensor(std).view(1, -1, 1, 1);
        return x.sub_(m).div_(s);
    }

    /// <summary>Zero-pads by <paramref name="padding"/> and crops back to the original size at a random offset per image.</summary>
    public static Tensor RandomCrop(Tensor x, int padding)
    {
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        var padded = nn.functional.pad(x, new long[] { padding, padding, padding, padding });
        var offsets = randint(0, 2 * padding + 1, new long[] { n, 2 }, dtype: ScalarType.Int64).data<long>().ToArray();
        var output = empty_like(x);
        for (long i = 0; i < n; i++)
        {
            using var source = padded[i].narrow(1, offsets[2 * i], h).narrow(2, offsets[2 * i + 1], w);
            using var target = output[i];
            target.copy_(source);
        }
        return output;
    }

    /// <summary>Mirrors each image left-right with probability <paramref name="p"/>.</summary>
    public static Tensor RandomHorizontalFlip(Tensor x, double p)
    {
        var flip = rand(x.shape[0]).lt(p).view(-1, 1, 1, 1);
        return where(flip, x.flip(3), x);
    }
}
