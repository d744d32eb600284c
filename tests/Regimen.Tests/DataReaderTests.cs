using Regimen.Data;
using Regimen.Recipes;
using SkiaSharp;

namespace Regimen.Tests;

public class DataReaderTests
{
    static void WritePng(string path, int size, Func<int, int, SKColor> pixel)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) bitmap.SetPixel(x, y, pixel(x, y));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(path.EndsWith(".png") ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg,
            100);
        File.WriteAllBytes(path, data.ToArray());
    }

    static SKColor Pixel(int x, int y, int c) => new((byte)(x * 10 + c), (byte)(y * 10), (byte)(200 - c * 50));

    [Fact]
    public void PngFoldersReadBackExactlyAndJpegClosely()
    {
        var root = TestData.TempDir("folder");
        for (int c = 0; c < 2; c++)
        {
            WritePng(Path.Combine(root, "png", $"cls{c}", "a.png"), 8, (x, y) => Pixel(x, y, c));
            WritePng(Path.Combine(root, "jpg", $"cls{c}", "a.jpg"), 8, (x, y) => Pixel(x, y, c));
        }
        var png = ImageFolderReader.Read(Path.Combine(root, "png"), 8, skipBad: false).Data;
        Assert.Equal(new[] { "cls0", "cls1" }, png.ClassNames);
        Assert.Equal(new long[] { 0, 1 }, png.LabelArray());
        var pixels = png.Images.data<byte>().ToArray();
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    var expected = Pixel(x, y, c);
                    int at = c * 3 * 64 + y * 8 + x;
                    Assert.Equal((expected.Red, expected.Green, expected.Blue),
                        (pixels[at], pixels[at + 64], pixels[at + 128]));
                }
        var jpg = ImageFolderReader.Read(Path.Combine(root, "jpg"), 8, skipBad: false).Data;
        var jpgPixels = jpg.Images.data<byte>().ToArray();
        double meanError = pixels.Zip(jpgPixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanError < 6, $"JPEG mean error {meanError}");
    }

    [Fact]
    public void UndecodableImagesFailByNameOrAreSkippedWhenAsked()
    {
        var root = ColourTestData.WriteImageFolder(TestData.TempDir("bad"), classes: 2, perClass: 3, size: 12,
            splits: "train");
        var broken = Path.Combine(root, "train", "class_1", "broken.jpg");
        File.WriteAllText(broken, "not a jpeg");
        var e = Assert.Throws<RegimenException>(() => ImageFolderReader.Read(Path.Combine(root, "train"), 12,
            skipBad: false));
        Assert.Contains("1 image(s) could not be read or decoded", e.Message);
        Assert.Contains(broken, e.Message);
        var skipped = ImageFolderReader.Read(Path.Combine(root, "train"), 12, skipBad: true);
        Assert.Equal(6, skipped.Data.Count);
        Assert.Contains(broken, Assert.Single(skipped.Skipped));
    }

    [Fact]
    public void Cifar100ReadsBackExactlyWithFineOrCoarseLabels()
    {
        var root = TestData.TempDir("cifar");
        var (images, labels) = ColourTestData.WriteCifar100(root, trainCount: 12, testCount: 4);
        var fine = DatasetLoader.Load(new DataSection { Dataset = "cifar100", Path = root }, null);
        Assert.Equal(images, fine.Train.Images.data<byte>().ToArray());
        Assert.Equal(labels.Select(l => (long)l[1]), fine.Train.LabelArray());
        Assert.Equal(100, fine.Train.ClassCount);
        Assert.Equal(4, fine.Test!.Count);
        var coarse = DatasetLoader.Load(new DataSection { Dataset = "cifar100-coarse", Path = root }, null);
        Assert.Equal(labels.Select(l => (long)l[0]), coarse.Train.LabelArray());
        Assert.Equal(20, coarse.Train.ClassCount);
    }

    [Fact]
    public void Cifar10ReadsItsBatchesAndRejectsTruncatedFiles()
    {
        var root = TestData.TempDir("cifar10");
        var random = new Random(2);
        var all = new List<byte>();
        for (int b = 1; b <= 5; b++)
        {
            var pixels = new byte[2 * 3072];
            random.NextBytes(pixels);
            all.AddRange(pixels);
            CifarReader.Write(Path.Combine(root, $"data_batch_{b}.bin"), pixels,
                new[] { new[] { (byte)b }, new[] { (byte)(b + 1) } });
        }
        CifarReader.Write(Path.Combine(root, "test_batch.bin"), new byte[3072], new[] { new byte[] { 9 } });
        var data = DatasetLoader.Load(new DataSection { Dataset = "cifar10", Path = root }, null);
        Assert.Equal(10, data.Train.Count);
        Assert.Equal(all.ToArray(), data.Train.Images.data<byte>().ToArray());
        Assert.Equal(new long[] { 1, 2, 2, 3, 3, 4, 4, 5, 5, 6 }, data.Train.LabelArray());
        Assert.Equal("truck", data.Train.ClassNames[9]);
        var test = Path.Combine(root, "test_batch.bin");
        File.WriteAllBytes(test, File.ReadAllBytes(test)[..1000]);
        var e = Assert.Throws<RegimenException>(() =>
            DatasetLoader.Load(new DataSection { Dataset = "cifar10", Path = root }, null));
        Assert.Contains(test, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void LabelCsvReadsImagesAndReportsBadLinesByNumber()
    {
        var root = ColourTestData.WriteImageFolder(TestData.TempDir("csv"), classes: 2, perClass: 2, size: 10,
            splits: "train");
        File.WriteAllText(Path.Combine(root, "train.csv"), "image,label\ntrain/class_0/img_0.png,cat\n" +
            "train/class_1/img_0.png,dog\ntrain/class_1/img_1.png,dog\n");
        var data = DatasetLoader.Load(new DataSection { Dataset = "csv", Path = root, ImageSize = 10 }, null);
        Assert.Equal(new[] { "cat", "dog" }, data.Train.ClassNames);
        Assert.Equal(new long[] { 0, 1, 1 }, data.Train.LabelArray());

        File.WriteAllText(Path.Combine(root, "bad.csv"), "image,label\ntrain/class_0/img_0.png,cat\n" +
            "train/missing.png,cat\ntrain/class_1/img_0.png,bird\n");
        var e = Assert.Throws<RegimenException>(() => DatasetLoader.Load(
            new DataSection { Dataset = "csv", Path = root, LabelsCsv = "bad.csv", Classes = new() { "cat", "dog" } },
                null));
        Assert.Contains("bad.csv:3: image 'train/missing.png' not found", e.Message);
        Assert.Contains("bad.csv:4: unknown class 'bird'", e.Message);
    }

    [Fact]
    public void ImagesDecodedOnDemandTrainExactlyAsCachedOnes()
    {
        var root = ColourTestData.WriteImageFolder(TestData.TempDir("stream"), classes: 3, perClass: 6, size: 20,
            format: "jpg");
        string Recipe(string cache) => $"""
            name: stream
            epochs: 2
            batch_size: 6
            threads: 2
            model:
              name: small_resnet
              width: 4
            data:
              dataset: imagefolder
              path: {root}
              image_size: 16
              cache: {cache}
            """;
        var results = new List<string>();
        foreach (var cache in new[] { "true", "false" })
        {
            var outcome = Regimen.Sessions.TrainingRunner.Start(new Regimen.Sessions.TrainingRequest
            {
                Recipe = RecipeLoader.Parse(Recipe(cache), "stream.yaml"),
                OutputDirectory = TestData.TempDir("stream-run"),
            });
            results.Add(string.Join(";", outcome.Metrics.Select(m => $"{m.TrainLoss:R},{m.ValAccuracy:R}")));
        }
        Assert.Equal(results[0], results[1]);

        var onDemand = ImageFolderReader.Read(Path.Combine(root, "train"), 16, skipBad: false, cache: false).Data;
        var cached = ImageFolderReader.Read(Path.Combine(root, "train"), 16, skipBad: false, cache: true).Data;
        Assert.False(onDemand.InMemory);
        Assert.Equal(cached.Images.data<byte>().ToArray(), onDemand.Gather(Enumerable.Range(0, 18).Select(i => (long)i)
            .ToArray()).data<byte>().ToArray());
        File.WriteAllText(Path.Combine(root, "train", "class_0", "zz-broken.jpg"), "nope");
        var e = Assert.Throws<RegimenException>(() => ImageFolderReader.Read(Path.Combine(root, "train"), 16,
            skipBad: false, cache: false));
        Assert.Contains("zz-broken.jpg", e.Message);
        Assert.Equal(18, ImageFolderReader.Read(Path.Combine(root, "train"), 16, skipBad: true,
            cache: false).Data.Count);
    }
}
