using static TorchSharp.torch;

namespace Regimen.Data;

/// <summary>
/// Reads the binary versions of CIFAR-10 (data_batch_1..5.bin, test_batch.bin: 1 label byte + 3072 pixel bytes per
/// image) and CIFAR-100 (train.bin, test.bin: coarse and fine label bytes + 3072 pixels), channel-major 32x32 RGB.
/// </summary>
public static class CifarReader
{
    const int Pixels = 3 * 32 * 32;

    /// <summary>Reads CIFAR-10 records from <paramref name="files"/> (in order) into one data set.</summary>
    public static ImageDataset ReadCifar10(string name, IReadOnlyList<string> files,
        IReadOnlyList<string> classNames) =>
        Read(name, files, labelBytes: 1, labelIndex: 0, classNames);

    /// <summary>
    /// Reads CIFAR-100 records; <paramref name="coarse"/> picks the 20 superclasses instead of the 100 classes.
    /// </summary>
    public static ImageDataset ReadCifar100(string name, string file, bool coarse, IReadOnlyList<string> classNames) =>
        Read(name, new[] { file }, labelBytes: 2, labelIndex: coarse ? 0 : 1, classNames);

    static ImageDataset Read(string name, IReadOnlyList<string> files, int labelBytes, int labelIndex,
        IReadOnlyList<string> classNames)
    {
        int record = labelBytes + Pixels;
        var chunks = new List<byte[]>();
        long total = 0;
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new RegimenException($"{file}: file not found", ExitCodes.DataMissing);
            var bytes = File.ReadAllBytes(file);
            if (bytes.Length == 0 || bytes.Length % record != 0)
                throw new RegimenException($"{file}: {bytes.Length} bytes is not a whole number of {record}-byte " +
                    $"CIFAR records" +
                                           (bytes.Length % record != 0 ? $" ({bytes.Length % record} bytes left " +
                                               $"over: truncated, or the wrong CIFAR version)" : ""));
            chunks.Add(bytes);
            total += bytes.Length / record;
        }
        var images = new byte[total * Pixels];
        var labels = new long[total];
        long i = 0;
        for (int f = 0; f < chunks.Count; f++)
        {
            var bytes = chunks[f];
            for (long r = 0; r < bytes.Length / record; r++, i++)
            {
                int label = bytes[r * record + labelIndex];
                if (label >= classNames.Count)
                    throw new RegimenException($"{files[f]}: record {r} has label {label}, outside the " +
                        $"{classNames.Count} classes");
                labels[i] = label;
                Array.Copy(bytes, r * record + labelBytes, images, i * Pixels, Pixels);
            }
        }
        return new ImageDataset(name, tensor(images, new long[] { total, 3, 32, 32 }, ScalarType.Byte),
            tensor(labels, ScalarType.Int64), classNames);
    }

    /// <summary>
    /// Writes CIFAR-format records (tests and tools): images [N,3,32,32] bytes, one or two label bytes each.
    /// </summary>
    public static void Write(string path, byte[] images, IReadOnlyList<byte[]> labelBytesPerImage)
    {
        using var file = File.Create(path);
        for (int i = 0; i < labelBytesPerImage.Count; i++)
        {
            file.Write(labelBytesPerImage[i]);
            file.Write(images, i * Pixels, Pixels);
        }
    }
}
