using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Augment;

/// <summary>
/// Augmentations on whole batches [N, C, H, W] of floats in [0, 1] (RandomErasing: normalized), each image
/// drawing its own random parameters from the given generator (libtorch's global one when none is given), so
/// that batches prepared on a worker thread are the same as those prepared in the training loop. Each op follows the
/// definition of its torchvision, albumentations or timm namesake, noted on it.
/// </summary>
public static class AugmentOps
{
    /// <summary>
    /// torchvision RandomResizedCrop: per image, a box of area scale·H·W (scale uniform in [minScale, maxScale])
    /// and aspect ratio log-uniform in [minRatio, maxRatio], resized to <paramref name="size"/>; the horizontal
    /// flip (probability <paramref name="flip"/>) is folded into the same resampling. Boxes that do not fit
    /// fall back to the largest centred box of the clamped ratio, as torchvision does after its 10 tries.
    /// </summary>
    public static Tensor RandomResizedCrop(Tensor x, int size, double minScale, double maxScale, double minRatio,
        double maxRatio, double flip, Generator? g = null)
    {
        long n = x.shape[0];
        double height = x.shape[2], width = x.shape[3];
        var u = rand(new long[] { n, 5 }, dtype: ScalarType.Float64, generator: g).data<double>().ToArray();
        var theta = new float[n * 6];
        for (long i = 0; i < n; i++)
        {
            double area = height * width * (minScale + (maxScale - minScale) * u[i * 5]);
            double ratio = Math.Exp(Math.Log(minRatio) + (Math.Log(maxRatio) - Math.Log(minRatio)) * u[i * 5 + 1]);
            double w = Math.Sqrt(area * ratio), h = Math.Sqrt(area / ratio);
            if (w > width || h > height)
            {
                double r = Math.Clamp(width / height, minRatio, maxRatio);
                (w, h) = r > width / height ? (width, width / r) : (height * r, height);
            }
            double x0 = (width - w) * u[i * 5 + 2], y0 = (height - h) * u[i * 5 + 3];
            double sx = w / width, sy = h / height;
            double cx = (x0 + w / 2) / width * 2 - 1, cy = (y0 + h / 2) / height * 2 - 1;
            if (u[i * 5 + 4] < flip) sx = -sx;
            theta[i * 6 + 0] = (float)sx; theta[i * 6 + 2] = (float)cx;
            theta[i * 6 + 4] = (float)sy; theta[i * 6 + 5] = (float)cy;
        }
        using var t = tensor(theta, new long[] { n, 2, 3 });
        using var grid = nn.functional.affine_grid(t, new long[] { n, x.shape[1], size, size }, align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border,
            align_corners: false);
    }

    /// <summary>
    /// torchvision ColorJitter, per image with probability <paramref name="p"/>: brightness, contrast and
    /// saturation factors uniform in [1-v, 1+v]; hue shifted by up to ±hue of a turn (rotation in YIQ space).
    /// Saturation and hue apply to colour images only.
    /// </summary>
    public static Tensor ColorJitter(Tensor x, double p, double brightness, double contrast, double saturation,
        double hue, Generator? g = null)
    {
        long n = x.shape[0];
        var apply = rand(new long[] { n, 1, 1, 1 }, generator: g).lt(p).to_type(x.dtype);
        Tensor Factor(double v) => rand(new long[] { n, 1, 1, 1 }, generator: g).mul_(2 * v).add_(1 - v);
        var y = x;
        if (brightness > 0) y = y * Factor(brightness);
        if (contrast > 0)
        {
            var mean = Gray(y).mean(new long[] { 1, 2, 3 }, keepdim: true);
            y = (y - mean) * Factor(contrast) + mean;
        }
        if (x.shape[1] == 3)
        {
            if (saturation > 0)
            {
                var gray = Gray(y);
                y = (y - gray) * Factor(saturation) + gray;
            }
            if (hue > 0) y = HueShift(y, rand(new long[] { n }, generator: g).mul_(2 * hue).sub_(hue));
        }
        y = y.clamp(0, 1);
        return apply * y + (1 - apply) * x;
    }

    static Tensor Gray(Tensor x) =>
        x.shape[1] == 3 ? (x[.., 0..1] * 0.299 + x[.., 1..2] * 0.587 + x[.., 2..3] * 0.114) : x;

    /// <summary>Rotates the chroma (I, Q) of each image by its angle in turns.</summary>
    static Tensor HueShift(Tensor x, Tensor turns)
    {
        var r = x[.., 0]; var g = x[.., 1]; var b = x[.., 2];
        var yy = r * 0.299 + g * 0.587 + b * 0.114;
        var i = r * 0.596 - g * 0.274 - b * 0.322;
        var q = r * 0.211 - g * 0.523 + b * 0.312;
        var angle = (turns * (2 * Math.PI)).view(-1, 1, 1);
        var cos = angle.cos(); var sin = angle.sin();
        var i2 = i * cos - q * sin;
        var q2 = i * sin + q * cos;
        return stack(new[] { yy + i2 * 0.956 + q2 * 0.621, yy - i2 * 0.272 - q2 * 0.647, yy - i2 * 1.106 + q2 * 1.703 },
            1);
    }

    /// <summary>
    /// Boxes as a mask [N, 1, H, W]: box k of image i covers rows y0..y0+h and columns x0..x0+w and is on when
    /// <paramref name="on"/>[i, k] is set. The arguments are [N, K] tensors of pixel coordinates.
    /// </summary>
    internal static Tensor BoxMask(long h, long w, Tensor y0, Tensor x0, Tensor bh, Tensor bw, Tensor on)
    {
        var rows = arange(h).view(1, 1, -1, 1);
        var cols = arange(w).view(1, 1, 1, -1);
        Tensor E(Tensor t) => t.unsqueeze(-1).unsqueeze(-1);
        var inside = rows.ge(E(y0)).logical_and(rows.lt(E(y0 + bh))).logical_and(cols.ge(E(x0)))
            .logical_and(cols.lt(E(x0 + bw)));
        return inside.logical_and(E(on)).any(1, keepdim: true);
    }

    /// <summary>
    /// albumentations CoarseDropout: per image with probability p, between minHoles and maxHoles rectangles,
    /// each side up to maxSize of the image side (at least one pixel), filled with <paramref name="fill"/>.
    /// </summary>
    public static Tensor CoarseDropout(Tensor x, double p, int minHoles, int maxHoles, double maxSize, float fill = 0f,
        Generator? g = null)
    {
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        int k = maxHoles;
        var apply = rand(new long[] { n, 1 }, generator: g).lt(p);
        var count = randint(minHoles, maxHoles + 1, new long[] { n, 1 }, generator: g);
        var on = arange(k).view(1, -1).lt(count).logical_and(apply);
        long maxH = Math.Max(1, (long)Math.Round(maxSize * h)), maxW = Math.Max(1, (long)Math.Round(maxSize * w));
        var bh = randint(1, maxH + 1, new long[] { n, k }, generator: g);
        var bw = randint(1, maxW + 1, new long[] { n, k }, generator: g);
        var y0 = (rand(new long[] { n, k }, generator: g) * (h - bh + 1)).floor().to_type(ScalarType.Int64);
        var x0 = (rand(new long[] { n, k }, generator: g) * (w - bw + 1)).floor().to_type(ScalarType.Int64);
        var mask = BoxMask(h, w, y0, x0, bh, bw, on);
        return x.masked_fill(mask, fill);
    }

    /// <summary>
    /// timm RandomErasing (mode 'pixel', one box): per image with probability p, a box of area uniform in
    /// [minArea, maxArea] of the image and aspect ratio log-uniform in [minRatio, 1/minRatio], filled with
    /// standard normal noise. Applied to normalized images, as timm does.
    /// </summary>
    public static Tensor RandomErasing(Tensor x, double p, double minArea, double maxArea, double minRatio,
        Generator? g = null)
    {
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        var apply = rand(new long[] { n, 1 }, generator: g).lt(p);
        var area = (rand(new long[] { n, 1 }, generator: g) * (maxArea - minArea) + minArea) * (h * w);
        var logRatio = rand(new long[] { n, 1 }, generator: g) * (2 * -Math.Log(minRatio)) + Math.Log(minRatio);
        var ratio = logRatio.exp();
        var bh = (area / ratio).sqrt().round().clamp(1, h).to_type(ScalarType.Int64);
        var bw = (area * ratio).sqrt().round().clamp(1, w).to_type(ScalarType.Int64);
        var y0 = (rand(new long[] { n, 1 }, generator: g) * (h - bh + 1)).floor().to_type(ScalarType.Int64);
        var x0 = (rand(new long[] { n, 1 }, generator: g) * (w - bw + 1)).floor().to_type(ScalarType.Int64);
        var mask = BoxMask(h, w, y0, x0, bh, bw, apply);
        return where(mask, randn(x.shape, dtype: x.dtype, generator: g), x);
    }

    /// <summary>
    /// Gaussian blur (sigma uniform in [0.1, maxSigma], one per batch) or motion blur (a line kernel of the
    /// given length at a random angle), applied to each image with probability p. Zero padding is avoided by
    /// reflecting the borders.
    /// </summary>
    public static Tensor Blur(Tensor x, double p, string kind, double maxSigma, int motionLength, Generator? g = null)
    {
        long n = x.shape[0], c = x.shape[1];
        var apply = rand(new long[] { n, 1, 1, 1 }, generator: g).lt(p).to_type(x.dtype);
        var kernel = kind == "motion" ? MotionKernel(motionLength, g)
            : GaussianKernel(0.1 + rand(new long[] { 1 }, generator: g).item<float>() * (maxSigma - 0.1));
        long k = kernel.shape[0];
        var weight = kernel.view(1, 1, k, k).expand(c, 1, k, k).contiguous();
        var padded = nn.functional.pad(x, new long[] { k / 2, k / 2, k / 2, k / 2 }, PaddingModes.Reflect);
        var blurred = nn.functional.conv2d(padded, weight, null, new long[] { 1, 1 }, new long[] { 0, 0 },
            new long[] { 1, 1 }, c);
        return apply * blurred + (1 - apply) * x;
    }

    internal static Tensor GaussianKernel(double sigma)
    {
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var g = Enumerable.Range(-radius, 2 * radius + 1).Select(i => (float)Math.Exp(-i * i / (2 * sigma * sigma)))
            .ToArray();
        float sum = g.Sum();
        var oneD = tensor(g.Select(v => v / sum).ToArray());
        return oneD.view(-1, 1) * oneD.view(1, -1);
    }

    internal static Tensor MotionKernel(int length, Generator? g = null)
    {
        int k = Math.Max(3, length | 1);
        double angle = rand(new long[] { 1 }, generator: g).item<float>() * Math.PI;
        var values = new float[k * k];
        int mid = k / 2;
        for (int s = 0; s < 4 * k; s++)
        {
            double t = (s / (4.0 * k - 1) - 0.5) * (k - 1);
            int col = (int)Math.Round(mid + t * Math.Cos(angle)), row = (int)Math.Round(mid + t * Math.Sin(angle));
            values[row * k + col] = 1;
        }
        float sum = values.Sum();
        return tensor(values.Select(v => v / sum).ToArray()).view(k, k);
    }

    /// <summary>
    /// Zero-pads by <paramref name="padding"/> and crops back to the original size at a random offset per image.
    /// </summary>
    public static Tensor RandomCrop(Tensor x, int padding, Generator? g = null)
    {
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        var padded = nn.functional.pad(x, new long[] { padding, padding, padding, padding });
        var offsets = randint(0, 2 * padding + 1, new long[] { n, 2 }, dtype: ScalarType.Int64, generator: g)
            .data<long>().ToArray();
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
    public static Tensor RandomHorizontalFlip(Tensor x, double p, Generator? g = null)
    {
        var flip = rand(new long[] { x.shape[0] }, generator: g).lt(p).view(-1, 1, 1, 1);
        return where(flip, x.flip(3), x);
    }
}
