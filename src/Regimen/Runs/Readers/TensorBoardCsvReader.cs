using System.Globalization;
using System.Text.RegularExpressions;

namespace Regimen.Runs.Readers;

/// <summary>
/// TensorBoard's "Download CSV" of a scalar: one file per (run, tag), header "Wall time,Step,Value", named
/// run-RUN-tag-TAG.csv (a '/' in the tag written as '_': run-.-tag-epoch_val_accuracy.csv). A file is one series
/// named by its tag (else by the file's own name); a folder of them is one run whose series are the files, aligned
/// by Step. Keras' TensorBoard callback writes the runs train and validation with the same tags (epoch_loss,
/// epoch_accuracy): the run's phase word is put before the tag (validation/epoch_loss), so that the shared resolver
/// gives it its role.
/// </summary>
internal sealed partial class TensorBoardCsvReader : ILogReader
{
    public const string Header = "Wall time,Step,Value";

    public string Name => "tensorboard-csv";
    public string LooksFor => $"TensorBoard's CSV download of a scalar: the header '{Header}' (run-RUN-tag-TAG.csv)";

    public double Recognize(LogSample sample) => !sample.Binary && IsHeader(sample.FirstLine) ? 1 : 0;

    static bool IsHeader(string line) =>
        string.Equals(line.Replace("\"", "").Replace(" ,", ",").Replace(", ", ",").Trim(), Header,
            StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a file begins with the export's header (a folder's files are told apart by it).</summary>
    public static bool IsExport(string file)
    {
        try
        {
            if (new FileInfo(file).Length == 0) return false;
            using var reader = new StreamReader(file);
            var head = new char[64];
            var text = new string(head, 0, reader.ReadBlock(head, 0, head.Length));
            int end = text.IndexOf('\n');
            return end > 0 && IsHeader(text[..end].TrimStart('\uFEFF').TrimEnd('\r'));
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        var tag = Tag(path);
        if (tag is null && options.Map.Count == 0 &&
            ColumnRoles.Classify(stem).Quantity is not ("loss" or "acc" or "top5" or "error"))
            throw new RegimenException($"{path}: a TensorBoard CSV export whose file name does not say its tag " +
                $"(TensorBoard names it run-RUN-tag-TAG.csv), so its series is called '{stem}', which names no loss " +
                $"or accuracy: --map ROLE={stem} says what it is (e.g. --map val_acc={stem})");
        // The run names the log (run-.-tag-... is the log folder's root: the folder names it).
        var name = tag is { Group: not "." } t ? t.Group
            : Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) is { Length: > 0 } folder ? folder : stem;
        return Build(new[] { path }, name, Path.GetFullPath(path), options);
    }

    /// <summary>The exports of one folder as its runs: one run, unless the files name several runs that are not
    /// each other's training and validation halves (then one log per run).</summary>
    public static IReadOnlyList<TrainingLog> ReadFolder(IReadOnlyList<string> files, string name, string folder,
        ReadOptions options)
    {
        var groups = files.Order(StringComparer.Ordinal).GroupBy(f => Tag(f)?.Group ?? ".").ToList();
        if (groups.Count == 1) return Build(groups[0].ToList(), name, folder, options);
        return groups.SelectMany(g => Build(g.ToList(), $"{name}: {(g.Key == "." ? "(root)" : g.Key)}", folder,
            options)).ToList();
    }

    /// <summary>A file's run and tag from its name: the run's phase word (train, validation) apart, and what is
    /// left of the run as its group (Keras' train and validation of one log folder are one group).</summary>
    static (string Run, string Tag, string? Phase, string Group)? Tag(string path)
    {
        var m = FileName().Match(Path.GetFileName(path));
        if (!m.Success) return null;
        string run = m.Groups[1].Value, tag = m.Groups[2].Value;
        var words = run.Split('_', '-', '.', '/').Where(w => w.Length > 0).ToList();
        var phase = words.LastOrDefault(w => w.ToLowerInvariant() is "train" or "training" or "validation" or "val"
            or "valid" or "eval" or "test");
        var rest = phase is null ? words : words.Where(w => w != phase).ToList();
        return (run, tag, phase, rest.Count == 0 ? "." : string.Join('_', rest));
    }

    [GeneratedRegex(@"^run-(.*)-tag-(.+)\.csv$", RegexOptions.IgnoreCase)]
    private static partial Regex FileName();

    static List<TrainingLog> Build(IReadOnlyList<string> files, string name, string source, ReadOptions options)
    {
        var series = new List<(string Name, SortedDictionary<long, double> Values)>();
        var notes = new List<string>();
        bool repeated = false;
        foreach (var file in files)
        {
            var tag = Tag(file);
            var column = tag is null ? Path.GetFileNameWithoutExtension(file)
                : tag.Value.Phase is { } p && ColumnRoles.Classify(tag.Value.Tag).Phase == Phase.None
                    ? $"{p}/{tag.Value.Tag}" : tag.Value.Tag;
            if (series.Any(s => s.Name == column))
            {
                notes.Add($"{Path.GetFileName(file)}: a second series named {column}, left out");
                continue;
            }
            var values = ReadSeries(file, ref repeated);
            series.Add((column, values));
            if (tag is null) notes.Add($"{Path.GetFileName(file)}: the file name does not say the tag (TensorBoard " +
                                       $"names it run-RUN-tag-TAG.csv); its series is named after the file, {column}");
        }
        if (repeated)
            notes.Add("a step logged more than once (a restarted or resumed run): the later row's value is kept");
        notes.Add(files.Count == 1 ? $"one series from {Path.GetFileName(files[0])}"
            : $"{files.Count} TensorBoard CSV exports aligned by Step: " +
              string.Join(", ", series.Select(s => s.Name)));
        return StepSeries.Build(series, new LogDescription
        {
            Name = name, Source = source, Reader = "tensorboard-csv", Format = "tensorboard-csv", Notes = notes,
        }, options);
    }

    /// <summary>Step → Value of one export; a malformed row is an error naming the file and line.</summary>
    static SortedDictionary<long, double> ReadSeries(string file, ref bool repeated)
    {
        var values = new SortedDictionary<long, double>();
        int line = 0;
        foreach (var text in File.ReadLines(file))
        {
            line++;
            if (line == 1 || text.Trim().Length == 0) continue;
            var f = text.Split(',');
            if (f.Length != 3)
                throw new RegimenException($"{file}:{line}: expected 3 fields (Wall time,Step,Value), got " +
                                           $"{f.Length}: '{Cut(text)}'");
            if (!double.TryParse(f[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var step) ||
                step != Math.Floor(step) || Math.Abs(step) > int.MaxValue)
                throw new RegimenException($"{file}:{line}: Step '{Cut(f[1])}' is not a whole number");
            if (!double.TryParse(f[2].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new RegimenException($"{file}:{line}: Value '{Cut(f[2])}' is not a number");
            repeated |= StepSeries.Add(values, (long)step, value);
        }
        if (values.Count == 0) throw new RegimenException($"{file}: a TensorBoard CSV export with no rows");
        return values;
    }

    static string Cut(string text) => text.Length > 60 ? text[..60] + "..." : text.Trim();
}
