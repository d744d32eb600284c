using Regimen.Data;

namespace Regimen.Tests;

/// <summary>Small generated data sets written as real IDX files, so tests exercise the same readers users do.</summary>
internal static class TestData
{
    /// <summary>
    /// A Fashion-MNIST-shaped folder (4 IDX files) of 28x28 images: class c is a stripe pattern whose frequency
    /// and orientation depend on the class, at a random phase plus noise, which a tiny CNN learns in a few steps.
    /// </summary>
    public static string WriteIdxDataset(string dir, int trainCount = 256, int testCount = 100, int classes = 10,
        bool gzip = false, int seed = 1)
    {
        Directory.CreateDirectory(dir);
        var random = new Random(seed);
        string ext = gzip ? ".gz" : "";
        Write(dir, "train", trainCount, classes, random, ext);
        Write(dir, "t10k", testCount, classes, random, ext);
        return dir;
    }

    static void Write(string dir, string prefix, int count, int classes, Random random, string ext)
    {
        var (images, labels) = Images(count, classes, random);
        IdxReader.Write(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), new[] { count, 28, 28 }, images);
        IdxReader.Write(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), new[] { count }, labels);
    }

    public static (byte[] Images, byte[] Labels) Images(int count, int classes, Random random)
    {
        var images = new byte[count * 28 * 28];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % classes;
            labels[i] = (byte)c;
            int frequency = 1 + c % 5;
            bool vertical = c >= 5;
            double phase = random.NextDouble() * 2 * Math.PI;
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    double v = 128 + 90 * Math.Sin(2 * Math.PI * frequency * (vertical ? y : x) / 28.0 + phase) +
                        random.Next(-25, 26);
                    images[i * 784 + y * 28 + x] = (byte)Math.Clamp(v, 0, 255);
                }
        }
        return (images, labels);
    }

    /// <summary>
    /// metrics.csv without the timing columns, which are the only ones allowed to differ between equal runs.
    /// </summary>
    public static string[] MetricsWithoutTiming(Regimen.Runs.RunDirectory run)
    {
        var lines = File.ReadAllLines(run.MetricsFile);
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length)
            .Where(i => !Regimen.Runs.MetricsCsv.TimingColumns.Contains(header[i])).ToArray();
        return lines.Select(l => string.Join(",", keep.Select(i => l.Split(',')[i]))).ToArray();
    }

    /// <summary>A file with <paramref name="text"/> in a fresh temporary folder (a log to read).</summary>
    public static string WriteTemp(string folder, string name, string text)
    {
        var path = Path.Combine(TempDir(folder), name);
        File.WriteAllText(path, text);
        return path;
    }

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "regimen-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A recipe for a tiny, fast training on the generated data.</summary>
    public static string TinyRecipe(int epochs = 2) => $"""
        name: tiny
        epochs: {epochs}
        batch_size: 32
        seed: 7
        threads: 1
        model:
          name: small_resnet
          width: 8
          depth: 1
        data:
          dataset: fashion-mnist
          validation: test
        optimizer:
          name: sgd
          lr: 0.2
          momentum: 0.9
          nesterov: true
          weight_decay: 0.0005
        lr_schedule:
          name: cosine
          warmup_epochs: 0.5
          warmup_start_lr: 0.005
        regularization:
          label_smoothing: 0.1
        augment:
          crop_padding: 2
          hflip: 0.5
        evaluation:
          tta_flip: true
        """;
}

/// <summary>Generated colour data sets in the formats users bring: JPEG/PNG class folders and CIFAR binaries.</summary>
internal static class ColourTestData
{
    /// <summary>Writes root/split/class_k/img_i.(jpg|png) images of size x size with a class-specific colour.</summary>
    public static string WriteImageFolder(string root, int classes, int perClass, int size, string format = "png",
        params string[] splits)
    {
        if (splits.Length == 0) splits = new[] { "train", "val" };
        var random = new Random(5);
        foreach (var split in splits)
            for (int c = 0; c < classes; c++)
            {
                var dir = Path.Combine(root, split, $"class_{c}");
                Directory.CreateDirectory(dir);
                for (int i = 0; i < perClass; i++)
                {
                    using var bitmap = new SkiaSharp.SKBitmap(size, size, SkiaSharp.SKColorType.Rgba8888,
                        SkiaSharp.SKAlphaType.Unpremul);
                    for (int y = 0; y < size; y++)
                        for (int x = 0; x < size; x++)
                            bitmap.SetPixel(x, y, new SkiaSharp.SKColor((byte)(c * 80 % 256),
                                (byte)((x * 7 + random.Next(20)) % 256), (byte)((y * 5 + c * 40) % 256)));
                    using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
                    using var encoded = image.Encode(format == "png" ? SkiaSharp.SKEncodedImageFormat.Png
                        : SkiaSharp.SKEncodedImageFormat.Jpeg, 95);
                    File.WriteAllBytes(Path.Combine(dir, $"img_{i}.{format}"), encoded.ToArray());
                }
            }
        return root;
    }

    /// <summary>Writes CIFAR-100 train.bin and test.bin (coarse, fine label bytes + 3072 pixels) into root.</summary>
    public static (byte[] Images, byte[][] Labels) WriteCifar100(string root, int trainCount, int testCount)
    {
        Directory.CreateDirectory(root);
        var random = new Random(9);
        (byte[], byte[][]) Make(int n)
        {
            var images = new byte[n * 3072];
            random.NextBytes(images);
            var labels = Enumerable.Range(0, n).Select(i => new[] { (byte)(i % 20), (byte)(i % 100) }).ToArray();
            return (images, labels);
        }
        var train = Make(trainCount);
        Regimen.Data.CifarReader.Write(Path.Combine(root, "train.bin"), train.Item1, train.Item2);
        var test = Make(testCount);
        Regimen.Data.CifarReader.Write(Path.Combine(root, "test.bin"), test.Item1, test.Item2);
        return train;
    }
}
