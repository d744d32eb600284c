using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Data;

/// <summary>
/// A labelled image set. Either held in memory (<c>Images</c> uint8 [N, C, H, W]: MNIST, CIFAR, image folders that
/// fit), so batches are index lookups; or image files decoded on demand, batch by batch, for sets that do not fit
/// (<c>data.cache</c>). <c>Labels</c> is int64 [N] either way.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    readonly Tensor? images;
    readonly IReadOnlyList<string>? files;
    readonly Func<string, byte[]>? decode;
    readonly int channels, height, width;

    public ImageDataset(string name, Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        if (images.dim() != 4) throw new ArgumentException($"images must be [N,C,H,W], got {images.dim()} dimensions");
        if (images.shape[0] != labels.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {labels.shape[0]} labels");
        Name = name;
        this.images = images;
        Labels = labels;
        ClassNames = classNames;
        (channels, height, width) = ((int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
    }

    /// <summary>
    /// Image files decoded on demand by <paramref name="decode"/> into channel-major bytes [C, size, size].
    /// </summary>
    public ImageDataset(string name, IReadOnlyList<string> files, Tensor labels, IReadOnlyList<string> classNames,
        int channels, int size, Func<string, byte[]> decode)
    {
        if (files.Count != labels.shape[0])
            throw new ArgumentException($"{files.Count} files but {labels.shape[0]} labels");
        Name = name;
        this.files = files;
        this.decode = decode;
        Labels = labels;
        ClassNames = classNames;
        (this.channels, height, width) = (channels, size, size);
    }

    public string Name { get; }
    /// <summary>The decoded images; only for a data set held in memory.</summary>
    public Tensor Images => images ??
        throw new InvalidOperationException($"{Name} decodes its images on demand (data.cache off)");
    public bool InMemory => images is not null;
    public Tensor Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int Count => (int)Labels.shape[0];
    public int Channels => channels;
    public int Height => height;
    public int Width => width;
    public int ClassCount => ClassNames.Count;

    /// <summary>
    /// The images at <paramref name="indices"/> as uint8 [n, C, H, W]: an index lookup, or decoding on all cores.
    /// </summary>
    public Tensor Gather(long[] indices)
    {
        if (images is not null)
        {
            using var index = tensor(indices, ScalarType.Int64);
            return images.index_select(0, index);
        }
        int pixels = channels * height * width;
        var bytes = new byte[indices.Length * pixels];
        Parallel.For(0, indices.Length, i =>
        {
            var path = files![(int)indices[i]];
            byte[] one;
            try { one = decode!(path); }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                throw new RegimenException($"{path}: cannot decode ({e.Message})");
            }
            Array.Copy(one, 0, bytes, (long)i * pixels, pixels);
        });
        return tensor(bytes, new long[] { indices.Length, channels, height, width }, ScalarType.Byte);
    }

    /// <summary>
    /// The images at <paramref name="indices"/> as a new data set (used for subsets, holdout splits, folds).
    /// </summary>
    public ImageDataset Select(long[] indices, string? name = null)
    {
        using var index = tensor(indices, ScalarType.Int64);
        var labels = Labels.index_select(0, index);
        return images is not null
            ? new ImageDataset(name ?? Name, images.index_select(0, index), labels, ClassNames)
            : new ImageDataset(name ?? Name, indices.Select(i => files![(int)i]).ToList(), labels, ClassNames, channels,
                height, decode!);
    }

    /// <summary>
    /// The first <paramref name="count"/> images as a new data set, disposing this one (data.train_limit, val_limit).
    /// </summary>
    public ImageDataset TakeFirst(int count)
    {
        var first = Select(Enumerable.Range(0, count).Select(i => (long)i).ToArray());
        Dispose();
        return first;
    }

    public long[] LabelArray() => Labels.data<long>().ToArray();

    /// <summary>
    /// Per-channel mean and standard deviation of the pixels scaled to [0, 1] (on up to 2000 evenly spaced images when
    /// decoded on demand).
    /// </summary>
    public (float[] Mean, float[] Std) ChannelStatistics()
    {
        using var scope = NewDisposeScope();
        var source = images ??
            Gather(Enumerable.Range(0, Math.Min(Count, 2000)).Select(i => (long)i * Count / Math.Min(Count, 2000))
            .ToArray());
        var x = source.to_type(ScalarType.Float32).div_(255f);
        var mean = x.mean(new long[] { 0, 2, 3 }).data<float>().ToArray();
        var std = x.std(new long[] { 0, 2, 3 }).data<float>().ToArray();
        return (mean, std);
    }

    public void Dispose()
    {
        images?.Dispose();
        Labels.Dispose();
    }
}
