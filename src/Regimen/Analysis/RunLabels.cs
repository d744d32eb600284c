using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// Names for runs shown side by side (compare): a run keeps its own name unless another has the same one; then each
/// of them is named by the shortest end of the path it was given by that tells them apart (a/training and
/// b/training; x/history.csv and y/history.csv), with the run's own name after it when one path holds several runs,
/// and a number where nothing else differs.
/// </summary>
public static class RunLabels
{
    public static List<TrainingLog> Unique(IReadOnlyList<(string Path, TrainingLog Log)> runs)
    {
        var labels = runs.Select(r => r.Log.Name).ToList();
        var perPath = runs.GroupBy(r => Normalize(r.Path)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var group in Enumerable.Range(0, runs.Count).GroupBy(i => labels[i]).Where(g => g.Count() > 1)
            .ToList())
        {
            var paths = group.Select(i => Normalize(runs[i].Path)).Distinct().ToList();
            var suffixes = paths.Count > 1 ? ShortestDistinctSuffixes(paths) : paths.ToDictionary(p => p, _ => "");
            foreach (var i in group)
            {
                var path = Normalize(runs[i].Path);
                var suffix = suffixes[path];
                labels[i] = suffix.Length == 0 ? runs[i].Log.Name
                    : perPath[path] > 1 ? $"{suffix}:{runs[i].Log.Name}" : suffix;
            }
        }
        // Whatever is still the same (one file holding two runs of one name): numbered in order.
        foreach (var group in Enumerable.Range(0, runs.Count).GroupBy(i => labels[i]).Where(g => g.Count() > 1)
            .ToList())
        {
            int k = 0;
            foreach (var i in group) labels[i] = $"{labels[i]} #{++k}";
        }
        return runs.Select((r, i) => r.Log with { Name = labels[i] }).ToList();
    }

    static string Normalize(string path) => Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);

    /// <summary>For each path, its last components, as few as make it differ from every other path's.</summary>
    static Dictionary<string, string> ShortestDistinctSuffixes(List<string> paths)
    {
        var parts = paths.ToDictionary(p => p, p => p.Split(Path.DirectorySeparatorChar,
            StringSplitOptions.RemoveEmptyEntries));
        string Suffix(string p, int n) => string.Join('/', parts[p][Math.Max(0, parts[p].Length - n)..]);
        var result = new Dictionary<string, string>();
        foreach (var p in paths)
        {
            int n = 1;
            while (n < parts[p].Length && paths.Any(q => q != p && Suffix(q, n) == Suffix(p, n))) n++;
            result[p] = Suffix(p, n);
        }
        return result;
    }
}
