using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Data;

/// <summary>
/// A labelled image set held in memory: <c>Images</c> is uint8 [N, C, H, W], <c>Labels</c> int64 [N].
/// Small classification sets (MNIST, Fashion-MNIST, CIFAR) fit easily, and batches are then plain index lookups.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    public ImageDataset(string name, Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        if (images.dim() != 4) throw new ArgumentException($"images must be [N,C,H,W], got {images.dim()} dimensions");
        if (images.shape[0] != labels.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {labels.shape[0]} labels");
        Name = name;
        Images = images;
        Labels = labels;
        ClassNames = classNames;
    }

    public string Name { get; }
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int Count => (int)Images.shape[0];
    public int Channels => (int)Images.shape[1];
    public int Height => (int)Images.shape[2];
    public int Width => (int)Images.shape[3];
    public int ClassCount => ClassNames.Count;

    /// <summary>The images at <paramref name="indices"/> as a new data set (used for subsets, holdout splits, folds).</summary>
    public ImageDataset Select(long[] indices, string? name = null)
    {
        using var index = tensor(indices, ScalarType.Int64);
        return new ImageDataset(name ?? Name, Images.index_select(0, index), Labels.index_select(0, index), ClassNames);
    }

    public long[] LabelArray() => Labels.data<long>().ToArray();

    /// <summary>Per-channel mean and standard deviation of the pixels scaled to [0, 1].</summary>
    public (float[] Mean, float[] Std) ChannelStatistics()
    {
        using var scope = NewDisposeScope();
        var x = Images.to_type(ScalarType.Float32).div_(255f);
        var mean = x.mean(new long[] { 0, 2, 3 }).data<float>().ToArray();
        var std = x.std(new long[] { 0, 2, 3 }).data<float>().ToArray();
        return (mean, std);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
