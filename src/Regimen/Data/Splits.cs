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
    /// A stratified holdout of round(<paramref name="fraction"/> x images) (at least one, never all): each class's
    /// images are shuffled with the seed and each class gives its share (the largest remainders of the shares get
    /// the images left over), so the validation split has the training split's class balance. The same seed gives
    /// the same split. Returns both index sets, sorted and disjoint.
    /// </summary>
    public static (long[] Train, long[] Validation) StratifiedHoldout(long[] labels, double fraction, long seed)
    {
        var classes = labels.Select((label, index) => (label, index)).GroupBy(x => x.label).OrderBy(g => g.Key)
            .Select(g =>
            {
                var members = g.Select(x => (long)x.index).ToArray();
                new Random(Seeds.DeriveInt(seed, g.Key, 0x401d)).Shuffle(members);
                return members;
            }).ToList();
        int target = Math.Clamp((int)Math.Round(labels.Length * fraction), Math.Min(1, labels.Length - 1),
            Math.Max(0, labels.Length - 1));
        var quota = classes.Select(m => (int)Math.Floor(m.Length * fraction)).ToArray();
        foreach (var c in Enumerable.Range(0, classes.Count)
                     .OrderByDescending(c => classes[c].Length * fraction - quota[c]).ThenBy(c => c)
                     .Take(Math.Max(0, target - quota.Sum())))
            quota[c]++;
        var validation = classes.SelectMany((m, c) => m[..quota[c]]);
        var train = classes.SelectMany((m, c) => m[quota[c]..]);
        return (train.Order().ToArray(), validation.Order().ToArray());
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
