using System.Globalization;
using System.Text.Json;

namespace Regimen.Runs.Readers;

/// <summary>
/// MLflow's file store: a run folder (mlruns/EXPERIMENT/RUN) keeps each metric in metrics/NAME (a '/' in the name is
/// a folder), one line "timestamp value step" per logged value (very old versions: "timestamp value"), its
/// parameters in params/NAME and its name in tags/mlflow.runName. One metric file is one series named after it; a
/// run folder is one run whose series are its metric files, aligned by step.
/// </summary>
internal sealed class MlflowMetricReader : ILogReader
{
    public string Name => "mlflow";
    public string LooksFor => "an MLflow metric file (mlruns/EXPERIMENT/RUN/metrics/NAME): lines 'timestamp value " +
        "step', the timestamp in milliseconds";

    public double Recognize(LogSample sample)
    {
        if (sample.Binary || sample.Lines.Count == 0) return 0;
        int lines = sample.Truncated ? sample.Lines.Count - 1 : sample.Lines.Count;
        for (int i = 0; i < lines; i++)
            if (Parse(sample.Lines[i]) is null) return 0;
        return lines > 0 ? 0.9 : 0;
    }

    /// <summary>A line's (timestamp, value, step), or null when it is not one.</summary>
    static (long Time, double Value, long Step)? Parse(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length is not (2 or 3) || !long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture,
            out var time) || time < 100_000_000_000) return null;
        double value;
        if (JsonLinesReader.Special(f[1]) is { } special) value = special;
        else if (!double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return null;
        long step = 0;
        if (f.Length == 3 && !long.TryParse(f[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
            out step)) return null;
        return (time, value, step);
    }

    /// <summary>Whether a folder is an MLflow run: a metrics/ folder of metric files.</summary>
    public static bool IsRun(string dir)
    {
        var metrics = Path.Combine(dir, "metrics");
        return Directory.Exists(metrics) && Directory.EnumerateFiles(metrics, "*", SearchOption.AllDirectories)
            .Any(f => new MlflowMetricReader().Recognize(LogSample.Of(f)) > 0);
    }

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        var name = Path.GetFileName(path);
        bool repeated = false;
        var series = new[] { (name, ReadSeries(path, ref repeated)) };
        var notes = new List<string> { $"one MLflow metric, {name}" };
        if (repeated) notes.Add(Repeated);
        return StepSeries.Build(series, new LogDescription
        {
            Name = name, Source = path, Reader = Name, Format = "mlflow", Notes = notes,
        }, options);
    }

    const string Repeated = "a step logged more than once (a resumed run): the later value is kept";

    /// <summary>An MLflow run folder: every metric file, its parameters, its name.</summary>
    public static List<TrainingLog> ReadRun(string dir, string name, ReadOptions options)
    {
        var metrics = Path.Combine(dir, "metrics");
        bool repeated = false;
        var series = Directory.EnumerateFiles(metrics, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && new FileInfo(f).Length > 0)
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(metrics, f).Replace('\\', '/'), ReadSeries(f, ref repeated))).ToList();
        if (series.Count == 0) throw new RegimenException($"{metrics}: an MLflow run with no metric logged");
        var hyper = new Dictionary<string, string>();
        var paramsDir = Path.Combine(dir, "params");
        if (Directory.Exists(paramsDir))
            foreach (var p in Directory.EnumerateFiles(paramsDir, "*", SearchOption.AllDirectories))
                hyper[Path.GetRelativePath(paramsDir, p).Replace('\\', '/')] = File.ReadAllText(p).Trim();
        var runName = Path.Combine(dir, "tags", "mlflow.runName");
        var notes = new List<string>
        {
            $"an MLflow run: {series.Count} metric files aligned by step " +
            $"({string.Join(", ", series.Select(s => s.Item1))})",
        };
        if (File.Exists(runName)) notes.Add($"MLflow's run name: {File.ReadAllText(runName).Trim()}");
        if (repeated) notes.Add(Repeated);
        return StepSeries.Build(series, new LogDescription
        {
            Name = name, Source = dir, Reader = "mlflow-run", Format = "mlflow", Notes = notes, Hyperparameters = hyper,
            PlannedEpochs = hyper.TryGetValue("epochs", out var e) && int.TryParse(e, CultureInfo.InvariantCulture,
                out var planned) ? planned : null,
        }, options);
    }

    static SortedDictionary<long, double> ReadSeries(string file, ref bool repeated)
    {
        var values = new SortedDictionary<long, double>();
        int number = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (line.Trim().Length == 0) continue;
            var parsed = Parse(line) ?? throw new RegimenException($"{file}:{number}: not an MLflow metric line " +
                $"('timestamp value step'): '{(line.Length > 60 ? line[..60] + "..." : line)}'");
            repeated |= StepSeries.Add(values, parsed.Step, parsed.Value);
        }
        if (values.Count == 0) throw new RegimenException($"{file}: an MLflow metric file with no values");
        return values;
    }
}

/// <summary>
/// Sacred's FileStorageObserver metrics.json: an object of series, each {"steps": [...], "values": [...],
/// "timestamps": [...]} (what _run.log_scalar wrote), aligned by step.
/// </summary>
internal sealed class SacredMetricsReader : ILogReader
{
    public string Name => "sacred";
    public string LooksFor => "Sacred's metrics.json: an object of {\"steps\": [...], \"values\": [...]} series";

    public double Recognize(LogSample sample)
    {
        try
        {
            if (!JsonHistoryReader.FirstValue(sample, out var reader) || reader.TokenType != JsonTokenType.StartObject)
                return 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("steps"u8) || reader.ValueTextEquals("values"u8)) return 0.95;
                if (!reader.TrySkip()) return 0;
            }
            return 0;
        }
        catch (JsonException) { return 0; }
    }

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        using var doc = HuggingFaceReader.Parse(path, "Sacred's metrics.json");
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new RegimenException($"{path}: not Sacred's metrics.json (the JSON is not an object)");
        var series = new List<(string, SortedDictionary<long, double>)>();
        bool repeated = false;
        foreach (var metric in doc.RootElement.EnumerateObject())
        {
            if (metric.Value.ValueKind != JsonValueKind.Object ||
                !metric.Value.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array)
                continue;
            var steps = metric.Value.TryGetProperty("steps", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray().ToList() : null;
            var points = new SortedDictionary<long, double>();
            int i = 0;
            foreach (var v in values.EnumerateArray())
            {
                long step = steps is not null && i < steps.Count && steps[i].TryGetInt64(out var st) ? st : i;
                double? x = v.ValueKind == JsonValueKind.Number ? v.GetDouble()
                    : v.ValueKind == JsonValueKind.String ? JsonLinesReader.Special(v.GetString()) : null;
                if (x is null)
                    throw new RegimenException($"{path}: {metric.Name}.values[{i}] is not a number ({v.GetRawText()})");
                repeated |= StepSeries.Add(points, step, x.Value);
                i++;
            }
            if (points.Count > 0) series.Add((metric.Name, points));
        }
        if (series.Count == 0)
            throw new RegimenException($"{path}: no series with \"values\" in Sacred's metrics.json");
        var notes = new List<string> { $"Sacred's metrics: {series.Count} series aligned by step" };
        if (repeated) notes.Add("a step logged more than once: the later value is kept");
        return StepSeries.Build(series, new LogDescription
        {
            Name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "metrics", Source = path,
            Reader = Name, Format = "sacred", Notes = notes,
        }, options);
    }
}

/// <summary>
/// dvclive's plots: a folder plots/metrics/ (under dvclive/ or the folder given to Live) with a .tsv per metric
/// ("timestamp  step  NAME"), a '/' in the metric's name a folder (train/loss.tsv), read as one run aligned by step.
/// </summary>
internal static class DvcliveFolder
{
    /// <summary>The plots/metrics folder of a dvclive output folder, if it is one.</summary>
    public static string? Metrics(string dir)
    {
        var metrics = Path.Combine(dir, "plots", "metrics");
        return Directory.Exists(metrics) && Directory.EnumerateFiles(metrics, "*.tsv", SearchOption.AllDirectories)
            .Any() ? metrics : null;
    }

    public static List<TrainingLog> Read(string dir, string name, ReadOptions options)
    {
        var metrics = Metrics(dir) ?? throw new RegimenException($"{dir}: no plots/metrics/*.tsv (dvclive)");
        bool repeated = false;
        var series = Directory.EnumerateFiles(metrics, "*.tsv", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.ChangeExtension(Path.GetRelativePath(metrics, f), null).Replace('\\', '/'),
                ReadSeries(f, ref repeated))).ToList();
        var notes = new List<string>
        {
            $"dvclive's plots: {series.Count} metrics aligned by step " +
            $"({string.Join(", ", series.Select(s => s.Item1))})",
        };
        if (repeated) notes.Add("a step logged more than once (a resumed run): the later value is kept");
        return StepSeries.Build(series, new LogDescription
        {
            Name = name, Source = dir, Reader = "dvclive", Format = "dvclive", Notes = notes,
        }, options);
    }

    static SortedDictionary<long, double> ReadSeries(string file, ref bool repeated)
    {
        var values = new SortedDictionary<long, double>();
        string[]? header = null;
        int number = 0, stepColumn = -1;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (line.Trim().Length == 0) continue;
            var f = line.Split('\t');
            if (header is null)
            {
                header = f;
                stepColumn = Array.FindIndex(header, h => h.Trim() == "step");
                if (stepColumn < 0 || header.Length < 2)
                    throw new RegimenException($"{file}:1: a dvclive plot's header has a 'step' column and the " +
                        $"metric's: '{line}'");
                continue;
            }
            if (f.Length != header.Length)
                throw new RegimenException($"{file}:{number}: {f.Length} fields, the header has {header.Length}");
            if (!long.TryParse(f[stepColumn], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                out var step))
                throw new RegimenException($"{file}:{number}: step '{f[stepColumn]}' is not a whole number");
            var cell = f[^1].Trim();
            double value = JsonLinesReader.Special(cell) ?? (double.TryParse(cell, NumberStyles.Float,
                CultureInfo.InvariantCulture, out var v) ? v
                : throw new RegimenException($"{file}:{number}: '{cell}' is not a number"));
            repeated |= StepSeries.Add(values, step, value);
        }
        if (values.Count == 0) throw new RegimenException($"{file}: a dvclive plot with no rows");
        return values;
    }
}
