using Regimen.Data;

namespace Regimen.Tests;

/// <summary>Small generated data sets written as real IDX files, so tests exercise the same readers users do.</summary>
internal static class TestData
{
    /// <summary>
    /// A Fashion-MNIST-shaped folder (4 IDX files) of 28x28 images: class c is a stripe pattern whose frequency
    /// and orientation depend on the class, at a random phase plus noise, which a tiny CNN learns in a few steps.
    /// </summary>
    public static string WriteIdxDataset(string dir, int trainCount = 256, int testCount = 100, int classes = 10, bool gzip = false, int seed = 1)
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
                    double v = 128 + 90 * Math.Sin(2 * Math.PI * frequency * (vertical ? y : x) / 28.0 + phase) + random.Next(-25, 26);
                    images[i * 784 + y * 28 + x] = (byte)Math.Clamp(v, 0, 255);
                }
        }
        return (images, labels);
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
