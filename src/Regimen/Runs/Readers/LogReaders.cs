namespace Regimen.Runs.Readers;

/// <summary>
/// The registry of log readers. A file is read by the reader that recognizes its first bytes and lines best; its
/// name does not matter (a trainer_state.json saved as state.txt, JSON lines in a .json file, a log in a .md file).
/// </summary>
public static class LogReaders
{
    /// <summary>Every reader, most specific first (ties go to the earlier one).</summary>
    public static readonly IReadOnlyList<ILogReader> All = new ILogReader[]
    {
        new TensorBoardLogReader(),
        new NotebookReader(),
        new HuggingFaceReader(),
        new SacredMetricsReader(),
        new JsonHistoryReader(),
        new JsonLinesReader(),
        new TensorBoardCsvReader(),
        new MlflowMetricReader(),
        new Torch7LoggerReader(),
        new CsvLogReader("csv", ','),
        new CsvLogReader("tsv", '\t'),
        new HtmlTableReader(),
        new MarkdownTableReader(),
        new ConsoleTableReader(),
        new TextLogReader(),
    };

    /// <summary>
    /// Folders the readers know by their files, not by content (listed by --formats beside the readers).
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string LooksFor)> Folders = new[]
    {
        ("regimen", "a folder with metrics.csv and recipe.yaml (a Regimen run); fold-N/ folders (an experiment)"),
        ("mlflow-run", "an MLflow run folder (mlruns/EXPERIMENT/RUN): its metrics/ files, one run aligned by step, " +
            "with its params/"),
        ("dvclive", "a dvclive folder: plots/metrics/**/*.tsv, one run aligned by step (train/loss.tsv: train/loss)"),
        ("folder", "any other folder: summary.csv, metrics.csv, trainer_state.json, log.txt, TensorBoard events, " +
            "TensorBoard CSV exports (one run), else every log file in it"),
    };

    /// <summary>The reader called <paramref name="name"/>; an unknown name is an error with the closest name.</summary>
    public static ILogReader Find(string name)
    {
        var reader = All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
        if (reader is not null) return reader;
        var names = All.Select(r => r.Name).ToList();
        var squashed = name.ToLowerInvariant().Replace("-", "").Replace("_", "");
        var hint = DidYouMean.Closest(name.ToLowerInvariant(), names) ??
                   names.FirstOrDefault(n => squashed.Length >= 3 &&
                       (n.Replace("-", "").StartsWith(squashed, StringComparison.Ordinal) ||
                                                                      squashed.StartsWith(n.Replace("-", ""),
                                                                          StringComparison.Ordinal)));
        throw new RegimenException($"--format {name}: unknown format" +
            (hint is null ? "" : $" (did you mean '{hint}'?)") +
                $"; formats: {string.Join(", ", names)} (regimen analyze --formats)");
    }

    /// <summary>Each reader's confidence that the sample is its format, best first.</summary>
    public static List<(ILogReader Reader, double Score)> Rank(LogSample sample) =>
        All.Select((r, i) => (Reader: r, Score: r.Recognize(sample), Order: i))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Order).Select(x => (x.Reader, x.Score)).ToList();

    /// <summary>
    /// The reader for a file, or an error that says what was looked for and what the file begins with.
    /// </summary>
    public static ILogReader Detect(string path, LogSample sample)
    {
        var (best, score) = Rank(sample)[0];
        if (score > 0) return best;
        // The head is only the first lines: a page whose log comes after a long preamble (front matter, prose, code)
        // is a text log if the whole file, read as one, has epochs.
        if (!sample.Binary && (sample.Truncated || sample.Lines.Count >= LogSample.MaxLines) &&
            All.OfType<TextLogReader>().FirstOrDefault() is { } text && TextLogReader.HasEpochs(path))
            return text;
        var first = sample.Binary ? "(binary data)" : sample.FirstLine.Length > 120 ? sample.FirstLine[..120] + "..."
            : sample.FirstLine;
        throw new RegimenException($"{path}: not a training log any reader recognizes. Looked for: " +
            string.Join("; ", All.Select(r => $"{r.Name}: {r.LooksFor}")) +
            $". The first line is: '{first}'. --format NAME reads it as one of them");
    }
}

/// <summary>
/// TensorBoard event files, by their first record (an Event with file_version "brain.Event:2") or name.
/// </summary>
internal sealed class TensorBoardLogReader : ILogReader
{
    public string Name => "tensorboard";
    public string LooksFor => "TFRecord-framed Event protobufs (events.out.tfevents.*)";

    public double Recognize(LogSample sample)
    {
        if (sample.Head.AsSpan(0, Math.Min(sample.Head.Length, 256)).IndexOf("brain.Event"u8) >= 0) return 1;
        return sample.FileName.Contains("tfevents", StringComparison.Ordinal) ? 0.9 : 0;
    }

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options) =>
        new[] { TensorBoardReader.Read(path) with { Reader = Name } };
}
