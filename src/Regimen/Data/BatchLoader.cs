using static TorchSharp.torch;

namespace Regimen.Data;

/// <summary>One batch of raw images (uint8) and labels, with the indices it was drawn from.</summary>
public sealed record Batch(Tensor Images, Tensor Labels, int Size);

/// <summary>
/// Draws batches from an in-memory data set. The order is a pure function of (seed, epoch), so a run resumed at
/// any epoch sees exactly the batches an uninterrupted run would.
/// </summary>
public static class BatchLoader
{
    public static int BatchCount(int count, int batchSize, bool dropLast) =>
        dropLast ? count / batchSize : (count + batchSize - 1) / batchSize;

    /// <summary>
    /// The permutation of <paramref name="count"/> items for (seed, epoch), by a seeded Fisher-Yates shuffle.
    /// </summary>
    public static long[] Order(int count, long seed, int epoch)
    {
        var order = new long[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var random = new Random(Seeds.DeriveInt(seed, epoch, 0x5eed));
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>The batches of one epoch; each batch's tensors belong to the caller's dispose scope.</summary>
    public static IEnumerable<Batch> Batches(ImageDataset data, int batchSize, long[]? order, bool dropLast,
        int first = 0)
    {
        int count = data.Count;
        int batches = BatchCount(count, batchSize, dropLast);
        for (int b = first; b < batches; b++)
        {
            int start = b * batchSize, size = Math.Min(batchSize, count - start);
            if (order is null && data.InMemory)
            {
                yield return new Batch(data.Images.narrow(0, start, size), data.Labels.narrow(0, start, size), size);
            }
            else
            {
                var indices = order is null ? Enumerable.Range(start, size).Select(i => (long)i).ToArray()
                    : order.AsSpan(start, size).ToArray();
                using var index = tensor(indices, ScalarType.Int64);
                yield return new Batch(data.Gather(indices), data.Labels.index_select(0, index), size);
            }
        }
    }
}
