using System.Globalization;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Regimen.Runs.Readers;

/// <summary>
/// Reads training logs written by Regimen and by other tools into <see cref="TrainingLog"/>s. A folder is read by
/// what it holds; a file by the reader of <see cref="LogReaders"/> that recognizes its content (or --format). A file
/// can hold several runs (FFCV's aggregate, a counter that starts again); a folder too (an experiment's folds, a
/// folder of logs). Malformed or truncated input is a <see cref="RegimenException"/> naming the file and line.
/// </summary>
public static class LogReader
{
    /// <summary>The metrics.csv columns a Regimen run's roles come from under their own names.</summary>
    static readonly string[] RunColumns = { "epoch", "train_loss", "train_acc", "val_loss", "val_acc",
        "val_top5", "lr" };

    public static IReadOnlyList<TrainingLog> Read(string path) => Read(path, new ReadOptions());

    public static IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        try
        {
            if (Directory.Exists(path)) return ReadDirectory(path, options);
            if (!File.Exists(path)) throw new RegimenException($"{path}: no such file or folder");
            return ReadFile(path, options);
        }
        catch (RegimenException) { throw; }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException
            or IOException
                                      or YamlDotNet.Core.YamlException or InvalidCastException or KeyNotFoundException
                                          or ArgumentException
                                      or OverflowException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            throw new RegimenException($"{path}: cannot read this log ({e.GetType().Name}: {e.Message})");
        }
    }

    internal static IReadOnlyList<TrainingLog> ReadFile(string path, ReadOptions options)
    {
        var sample = LogSample.Of(path);
        if (sample.Head.Length == 0) throw new RegimenException($"{path}: empty file");
        var reader = options.Format is { } format ? LogReaders.Find(format) : LogReaders.Detect(path, sample);
        return reader.Read(path, options);
    }

    /// <summary>The files that make a folder another tool's run (the first found is read).</summary>
    internal static readonly string[] RunFiles =
        { "summary.csv", "metrics.csv", "results.csv", "trainer_state.json", "log.txt", "training.log", "history.csv" };

    static IReadOnlyList<TrainingLog> ReadDirectory(string path, ReadOptions options)
    {
        if (ExperimentDirectory.IsExperiment(path)) return ReadExperiment(path);
        if (IsRegimenRun(path)) return new[] { RegimenRun(path) };
        if (RunFile(path) is { } file) return ReadFile(file, options);
        if (MlflowMetricReader.IsRun(path)) return MlflowMetricReader.ReadRun(path, Path.GetFileName(path), options);
        if (DvcliveFolder.Metrics(path) is not null) return DvcliveFolder.Read(path, Path.GetFileName(path), options);
        // A folder of runs (or of logs): each run found in it once (RunFolders).
        var folder = RunFolders.Scan(path, options);
        if (folder.Runs.Count > 0) return folder.Runs.SelectMany(r => r.Logs).ToList();
        throw new RegimenException($"{path}: no training log found (a Regimen run, metrics.csv, summary.csv, " +
            "results.csv, trainer_state.json, log.txt, TensorBoard events, or any file a reader recognizes: " +
            "regimen analyze --formats)" + RunFolders.SkippedText(folder));
    }

    /// <summary>A Regimen run, or another tool's run that regimen watch recorded in the same shape (no recipe;
    /// summary.json says the format).</summary>
    internal static bool IsRegimenRun(string path) => File.Exists(Path.Combine(path, "metrics.csv"))
        && (File.Exists(Path.Combine(path, "recipe.yaml"))
            || RunSummary.Read(Path.Combine(path, "summary.json"))?.SourceFormat is not null);

    /// <summary>The file that makes <paramref name="path"/> another tool's run folder, if any.</summary>
    internal static string? RunFile(string path) =>
        RunFiles.Select(f => Path.Combine(path, f)).FirstOrDefault(File.Exists);

    internal static IReadOnlyList<TrainingLog> ReadExperiment(string path) =>
        Directory.GetDirectories(path, "fold-*")
            .OrderBy(d => int.Parse(Path.GetFileName(d)[5..], CultureInfo.InvariantCulture))
            .Where(d => File.Exists(Path.Combine(d, "metrics.csv")))
            .Select(d => RegimenRun(d) with
            {
                Fold = int.Parse(Path.GetFileName(d)[5..], CultureInfo.InvariantCulture),
            }).ToList();

    /// <summary>A file read by the reader that recognizes it best, or null when none does well enough (at least
    /// 0.3) or a weak guess (under 0.7) fails to read it: a text file that is not a log after all.</summary>
    internal static IReadOnlyList<TrainingLog>? TryReadFile(string file, ReadOptions options)
    {
        if (new FileInfo(file).Length == 0) return null;
        var sample = LogSample.Of(file);
        var (reader, score) = options.Format is { } f ? (LogReaders.Find(f), 1.0) : LogReaders.Rank(sample)[0];
        if (score < 0.3) return null;
        try { return reader.Read(file, options); }
        catch (RegimenException) when (options.Format is null && score < 0.7) { return null; }
    }

    internal static TrainingLog RegimenRun(string dir)
    {
        var run = new RunDirectory(dir);
        var rows = MetricsCsv.Read(run.MetricsFile);
        var recipeText = File.Exists(run.RecipeFile) ? File.ReadAllText(run.RecipeFile) : "";
        var hyper = FlattenYaml(recipeText, run.RecipeFile);
        var summary = RunSummary.Read(run.SummaryFile);
        var events = RunEvent.ReadAll(run.EventsFile);
        var sizes = StartSizes(events);
        var log = new TrainingLog
        {
            Name = Path.GetFileName(dir.TrimEnd('/')),
            Source = dir,
            Format = summary?.SourceFormat ?? "regimen", Reader = "regimen",
            Columns = RunColumns
                .Select(c => new ColumnMapping(c, c)).Append(new ColumnMapping("epoch_time", "epoch_seconds")).ToList(),
            PlannedEpochs = summary is { EpochsPlanned: > 0 } ? summary.EpochsPlanned
                : hyper.TryGetValue("epochs", out var e) ? int.Parse(e, CultureInfo.InvariantCulture) : null,
            Hyperparameters = hyper,
            Epochs = rows.Select(r => new LogEpoch
            {
                Epoch = r.Epoch, TrainLoss = N(r.TrainLoss), TrainAccuracy = N(r.TrainAccuracy), ValLoss = N(r.ValLoss),
                ValAccuracy = N(r.ValAccuracy), ValTop5 = r.ValTop5, LearningRate = N(r.LearningRate),
                Resolution = r.Resolution, Phase = r.Phase,
                EpochSeconds = N(r.EpochSeconds),
            }).ToList(),
            ValidationSize = summary?.ValidationSize ?? sizes.Validation,
            TrainSize = summary?.TrainSize ?? sizes.Train,
            Classes = summary?.Classes,
            Test = summary?.Test,
            Events = events.Where(x => x.Kind is not ("start" or "end" or "checkpoint"))
                .Select(x => new LogEvent(x.Epoch, x.Kind, x.Key, x.From, x.To, x.Message)).ToList(),
        };
        // The metrics a run records beyond the log's roles (EMA, TTA), kept by name so that --monitor can judge them.
        foreach (var monitor in Training.Monitor.Known.Where(m => TrainingLog.RoleSelector(m.Name) is null))
        {
            var points = rows.Select(r => (r.Epoch, Value: monitor.Read(r)))
                .Where(p => p.Value is { } v && !double.IsNaN(v)).Select(p => (p.Epoch, p.Value!.Value)).ToList();
            if (points.Count > 0) log.OtherSeries[monitor.Name] = points;
        }
        if (summary?.SourceFormat is null)
            log.Notes.Add(
                "train_acc is measured on augmented (and, with MixUp/CutMix, mixed) batches in training mode");
        log.Notes.AddRange(summary?.Warnings ?? []);
        return log;
    }

    /// <summary>
    /// The split sizes from the start event ("..., 1000 training images, 500 validation images"), for runs recorded
    /// before summary.json kept them.
    /// </summary>
    static (int? Train, int? Validation) StartSizes(IEnumerable<RunEvent> events)
    {
        var start = events.FirstOrDefault(e => e.Kind == "start")?.Message ?? "";
        var m = System.Text.RegularExpressions.Regex.Match(start, @"(\d+) training images, (\d+) validation images");
        return m.Success ? (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))
            : (null, null);
    }

    /// <summary>An empty metrics.csv cell reads as NaN: the series was not recorded.</summary>
    static double? N(double value) => double.IsNaN(value) ? null : value;

    /// <summary>
    /// FFCV's get_resolution: linear from min_res to max_res between start_ramp and end_ramp, rounded to a multiple of
    /// 32.
    /// </summary>
    public static double FfcvResolution(int epoch, double startRamp, double endRamp, double minRes, double maxRes)
    {
        double r = epoch <= startRamp ? minRes : epoch >= endRamp ? maxRes : minRes +
            (maxRes - minRes) * (epoch - startRamp) / (endRamp - startRamp);
        return Math.Round(r / 32, MidpointRounding.ToEven) * 32;
    }

    /// <summary>Accuracies as fractions: a series that goes above 1 is taken as percentages.</summary>
    internal static TrainingLog Normalize(TrainingLog log)
    {
        bool percent = log.Epochs.Any(e => e.ValAccuracy > 1.0 || e.TrainAccuracy > 1.0 || e.ValTop5 > 1.0);
        if (!percent) return log;
        for (int i = 0; i < log.Epochs.Count; i++)
        {
            var e = log.Epochs[i];
            log.Epochs[i] = e with
            {
                TrainAccuracy = e.TrainAccuracy / 100,
                ValAccuracy = e.ValAccuracy / 100,
                ValTop5 = e.ValTop5 / 100
            };
        }
        log.Notes.Add("accuracies were logged as percentages");
        return log;
    }

    /// <summary>A YAML mapping flattened to dotted keys (optimizer.lr → 0.1), for configuration diffs.</summary>
    internal static Dictionary<string, string> FlattenYaml(string yaml, string source)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(yaml)) return result;
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new RegimenException($"{source}:{e.Start.Line}: malformed YAML ({e.Message})");
        }
        if (stream.Documents.Count == 0) return result;
        void Walk(YamlNode node, string prefix)
        {
            switch (node)
            {
                case YamlMappingNode m:
                    foreach (var (k, v) in m.Children)
                        Walk(v, prefix.Length == 0 ? ((YamlScalarNode)k).Value ??
                            "" : $"{prefix}.{((YamlScalarNode)k).Value}");
                    break;
                case YamlSequenceNode s:
                    int i = 0;
                    foreach (var item in s.Children) Walk(item, $"{prefix}[{i++}]");
                    if (i == 0) result[prefix] = "[]";
                    break;
                case YamlScalarNode sc:
                    result[prefix] = sc.Value ?? "";
                    break;
            }
        }
        Walk(stream.Documents[0].RootNode, "");
        return result;
    }
}
