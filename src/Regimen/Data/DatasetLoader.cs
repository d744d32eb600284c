using Regimen.Recipes;

namespace Regimen.Data;

/// <summary>The train split, the test split when the data set has one, and what the load had to skip.</summary>
public sealed record LoadedData(ImageDataset Train, ImageDataset? Test, IReadOnlyList<string> Skipped);

/// <summary>
/// Loads the data set a recipe names from a folder (the recipe's <c>data.path</c>, <c>--data</c>, or the
/// data set's usual install place): IDX (fashion-mnist, mnist), CIFAR binary (cifar10, cifar100,
/// cifar100-coarse) and image folders (imagefolder: train/ and val/ or test/, a sub-folder per class).
/// </summary>
public static class DatasetLoader
{
    /// <summary>The sub-folders of an image folder data set that hold its test split, the first found.</summary>
    static readonly string[] TestFolders = { "val", "test" };

    public static readonly string[] Names = { "fashion-mnist", "mnist", "cifar10", "cifar100", "cifar100-coarse",
        "imagefolder", "csv" };

    /// <summary>Null for a known data set, else what is wrong with the name and the closest known one.</summary>
    public static string? CheckName(string name) =>
        Names.Contains(name) ? null : $"unknown data set '{name}'" + DidYouMean.Hint(name, Names);

    static readonly string[] Cifar10Classes = { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
        "ship", "truck" };

    public static LoadedData Load(DataSection data, string? directory)
    {
        var dir = directory ?? data.Path;
        switch (data.Dataset)
        {
            case "fashion-mnist":
            case "mnist":
                var (idxTrain, idxTest) = BuiltinDatasets.Load(BuiltinDatasets.Find(data.Dataset)!, dir);
                return new LoadedData(idxTrain, idxTest, Array.Empty<string>());
            case "cifar10":
                {
                    var root = Require(dir, data.Dataset, "cifar-10-batches-bin", "data_batch_1.bin");
                    var names = ReadNames(Path.Combine(root, "batches.meta.txt")) ?? Cifar10Classes;
                    var trainFiles = Enumerable.Range(1, 5).Select(i => Path.Combine(root, $"data_batch_{i}.bin"))
                        .Where(File.Exists).ToList();
                    return new LoadedData(CifarReader.ReadCifar10("cifar10/train", trainFiles, names),
                        CifarReader.ReadCifar10("cifar10/test", new[] { Path.Combine(root, "test_batch.bin") }, names),
                            Array.Empty<string>());
                }
            case "cifar100":
            case "cifar100-coarse":
                {
                    bool coarse = data.Dataset == "cifar100-coarse";
                    var root = Require(dir, data.Dataset, "cifar-100-binary", "train.bin");
                    var names = ReadNames(Path.Combine(root, coarse ? "coarse_label_names.txt"
                        : "fine_label_names.txt"))
                                ?? Enumerable.Range(0, coarse ? 20 : 100).Select(i => $"class_{i}").ToArray();
                    return new LoadedData(CifarReader.ReadCifar100($"{data.Dataset}/train",
                        Path.Combine(root, "train.bin"), coarse, names),
                        CifarReader.ReadCifar100($"{data.Dataset}/test", Path.Combine(root, "test.bin"), coarse, names),
                            Array.Empty<string>());
                }
            case "imagefolder":
                {
                    if (dir is null)
                        throw new RegimenException("data.path: an imagefolder data set needs a folder (data.path or " +
                            "--data)", ExitCodes.DataMissing);
                    var trainDir = Path.Combine(dir, "train");
                    if (!Directory.Exists(trainDir))
                        throw new RegimenException($"{dir}: expected a train/ folder with one sub-folder per class",
                            ExitCodes.DataMissing);
                    var testDir = TestFolders.Select(n => Path.Combine(dir, n)).FirstOrDefault(Directory.Exists);
                    bool cache = Cache(data, CountImages(trainDir) + (testDir is null ? 0 : CountImages(testDir)));
                    var train = ImageFolderReader.Read(trainDir, data.ImageSize, data.SkipBadImages, cache: cache);
                    var test = testDir is null ? null : ImageFolderReader.Read(testDir, data.ImageSize,
                        data.SkipBadImages, train.Data.ClassNames, cache: cache);
                    return new LoadedData(train.Data, test?.Data,
                        train.Skipped.Concat(test?.Skipped ?? Array.Empty<string>()).ToList());
                }
            case "csv":
                {
                    if (dir is null)
                        throw new RegimenException("data.path: a csv data set needs a folder (data.path or --data)",
                            ExitCodes.DataMissing);
                    var imagesDir = data.ImagesDir is null ? dir : Path.Combine(dir, data.ImagesDir);
                    var labelsPath = Path.Combine(dir, data.LabelsCsv);
                    bool cache = Cache(data, File.Exists(labelsPath) ? File.ReadLines(labelsPath).LongCount() : 0);
                    var train = LabelCsvReader.Read(labelsPath, imagesDir, data.ImageSize, data.SkipBadImages,
                        data.Classes.Count > 0 ? data.Classes : null, cache);
                    var test = data.TestCsv is null ? null
                        : LabelCsvReader.Read(Path.Combine(dir, data.TestCsv), imagesDir, data.ImageSize,
                            data.SkipBadImages, train.Data.ClassNames, cache);
                    return new LoadedData(train.Data, test?.Data,
                        train.Skipped.Concat(test?.Skipped ?? Array.Empty<string>()).ToList());
                }
            default:
                throw new RegimenException($"data.dataset: unknown data set '{data.Dataset}'");
        }
    }

    /// <summary>
    /// Whether to hold the decoded images in memory: as the recipe says, or (auto) when they take less than half
    /// of the memory this process may use.
    /// </summary>
    public static bool Cache(DataSection data, long images)
    {
        if (data.Cache != "auto") return data.Cache == "true";
        long bytes = images * 3L * data.ImageSize * data.ImageSize;
        return bytes < GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
    }

    static long CountImages(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .LongCount(f => Path.GetExtension(f).ToLowerInvariant() is ".jpg" or ".jpeg" or ".png");

    /// <summary>The folder holding <paramref name="marker"/>: the given one or its standard sub-folder.</summary>
    static string Require(string? dir, string dataset, string subfolder, string marker)
    {
        if (dir is null)
            throw new RegimenException($"data.path: data set '{dataset}' needs a folder (data.path or --data) with " +
                $"its binary files", ExitCodes.DataMissing);
        foreach (var candidate in new[] { dir, Path.Combine(dir, subfolder) })
            if (File.Exists(Path.Combine(candidate, marker))) return candidate;
        throw new RegimenException($"{dir}: no {marker} here or in {subfolder}/ (data set '{dataset}')",
            ExitCodes.DataMissing);
    }

    static string[]? ReadNames(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray() : null;
}
