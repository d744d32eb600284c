namespace Regimen.Data;

/// <summary>
/// Reads a Kaggle-style label file (a header, then image,label per line) and the images it names. A line
/// naming a missing file or a class outside the given ones is an error with its line number.
/// </summary>
public static class LabelCsvReader
{
    public static ImageFolderReader.Result Read(string csvPath, string imagesDir, int size, bool skipBad,
        IReadOnlyList<string>? classes, bool cache = true)
    {
        if (!File.Exists(csvPath))
            throw new RegimenException($"{csvPath}: label file not found", ExitCodes.DataMissing);
        var lines = File.ReadAllLines(csvPath);
        if (lines.Length < 2) throw new RegimenException($"{csvPath}: no rows after the header (expected image,label)");
        var rows = new List<(int Line, string Image, string Label)>();
        var errors = new List<string>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var fields = lines[i].Split(',');
            if (fields.Length < 2 || fields[0].Trim().Length == 0 || fields[1].Trim().Length == 0)
            {
                errors.Add($"{csvPath}:{i + 1}: expected image,label, found '{lines[i]}'");
                continue;
            }
            rows.Add((i + 1, fields[0].Trim(), fields[1].Trim()));
        }
        var names = classes ?? rows.Select(r => r.Label).Distinct().OrderBy(l => l, StringComparer.Ordinal).ToList();
        var index = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        var files = new List<(string Path, int Label)>();
        foreach (var (line, image, label) in rows)
        {
            var path = Path.Combine(imagesDir, image);
            if (!index.TryGetValue(label, out int c))
                errors.Add($"{csvPath}:{line}: unknown class '{label}' (known: " +
                    $"{string.Join(", ", names.Take(10))}{(names.Count > 10 ? ", ..." : "")})");
            else if (!File.Exists(path)) errors.Add($"{csvPath}:{line}: image '{image}' not found (looked for {path})");
            else files.Add((path, c));
        }
        if (errors.Count > 0)
            throw new RegimenException($"{csvPath}: {errors.Count} problem(s):\n  " +
                string.Join("\n  ", errors.Take(20)) +
                (errors.Count > 20 ? $"\n  ... and {errors.Count - 20} more" : ""));
        var (data, skipped) = cache
            ? ImageFolderReader.DecodeAll(Path.GetFileNameWithoutExtension(csvPath), files, names, size, skipBad,
                grayscale: false, csvPath, "data.skip_bad_images")
            : ImageFolderReader.OnDemand(Path.GetFileNameWithoutExtension(csvPath), files, names, size, skipBad,
                grayscale: false, csvPath, "data.skip_bad_images");
        return new ImageFolderReader.Result(data, skipped);
    }
}
