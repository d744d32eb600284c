namespace Regimen;

/// <summary>
/// The "did you mean" of every registry and of the recipe binder: the known name closest to a misspelled one.
/// It lives at the bottom so that each registry (models, data sets, schedules, metrics, log readers) can offer it
/// for its own names.
/// </summary>
public static class DidYouMean
{
    /// <summary>
    /// The known name closest to <paramref name="name"/> by edit distance, if it is close enough to be a typo.
    /// </summary>
    public static string? Closest(string name, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            // A known name that the typo extends or shortens (val_accuracy, val_acc) is as good as a one-letter slip.
            int d = name.Length > 2 && (name.StartsWith(k, StringComparison.Ordinal) ||
                k.StartsWith(name, StringComparison.Ordinal))
                ? 1 : Levenshtein(name, k);
            if (d < bestDistance) (best, bestDistance) = (k, d);
        }
        return best != null && (bestDistance <= 2 || bestDistance <= best.Length / 3) ? best : null;
    }

    /// <summary>" (did you mean 'x'?)" when a known name is close, else " (known: a, b, ...)".</summary>
    public static string Hint(string name, IEnumerable<string> known)
    {
        var all = known.ToList();
        var closest = Closest(name, all);
        return closest != null ? $" (did you mean '{closest}'?)" : $" (known: {string.Join(", ", all)})";
    }

    static int Levenshtein(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int previous = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }
}
