namespace Regimen.Data;

/// <summary>Seeded, stratified splits of a data set's indices.</summary>
public static class Splits
{
    /// <summary>
    /// Stratified k-fold: each class's images are shuffled with the seed and dealt to the folds in turn, so
    /// every fold holds each class in proportion. Returns the validation indices of each fold, sorted.
    /// </summary>
    public static long[][] StratifiedKFold(long[] labels, int folds, long seed)
    {
        if (folds < 2) throw new RegimenException($"--folds: need at least 2 folds, got {folds}");
        if (labels.Length < folds)
            throw new RegimenException($"--folds: {folds} folds but only {labels.Length} images");
        var buckets = Enumerable.Range(0, folds).Select(_ => new List<long>()).ToArray();
        int next = 0;
        foreach (var group in labels.Select((label, index) => (label, index)).GroupBy(x => x.label).OrderBy(g => g.Key))
        {
            var members = group.Select(x => (long)x.index).ToArray();
            var random = new Random(Seeds.DeriveInt(seed, group.Key, 0xf01d));
            random.Shuffle(members);
            foreach (var index in members)
            {
                buckets[next].Add(index);
                next = (next + 1) % folds;
            }
        }
        return buckets.Select(b => b.Order().ToArray()).ToArray();
    }

    /// <summary>
    /// All indices of <paramref name="count"/> not in <paramref name="excluded"/> (sorted input), in order.
    /// </summary>
    public static long[] Complement(int count, long[] excluded)
    {
        var skip = new HashSet<long>(excluded);
        return Enumerable.Range(0, count).Select(i => (long)i).Where(i => !skip.Contains(i)).ToArray();
    }
}
