namespace Regimen.Runs.Readers;

/// <summary>A run found in a folder of runs: its name (its path below the folder), what it is, and its logs (one,
/// an experiment's folds, or the runs of one file).</summary>
public sealed record FoundRun(string Name, string Path, string What, IReadOnlyList<TrainingLog> Logs);

/// <summary>Something in a folder of runs that was not read as a run, and why.</summary>
public sealed record SkippedPath(string Path, string Why);

/// <summary>What a folder of runs holds: the runs found, each once, and what was left out.</summary>
public sealed record RunFolder(string Path, IReadOnlyList<FoundRun> Runs, IReadOnlyList<SkippedPath> Skipped);

/// <summary>
/// Finds the runs in a folder of runs (runs/, lightning_logs/, a folder of downloaded logs), each once: a Regimen
/// run by its metrics.csv (its tensorboard/ copy is not read again, and a resumed run is still one run), an
/// experiment with its folds, another tool's run folder by its log file (results.csv, trainer_state.json...), the
/// TensorBoard event files of one folder together (a resumed run writes a second file; Keras writes train/ and
/// validation/), and every other file a reader recognizes as its own run. A run is named by its path below the
/// folder, so that no two sections share a title.
/// </summary>
public static class RunFolders
{
    /// <summary>How deep below the folder runs are looked for (runs/project/name/version_0 is three).</summary>
    public const int Depth = 4;

    /// <summary>Whether <paramref name="path"/> is one run (an experiment, a Regimen run, another tool's run
    /// folder), which <see cref="LogReader"/> reads as such, rather than a folder of runs.</summary>
    public static bool IsOneRun(string path) => ExperimentDirectory.IsExperiment(path) || LogReader.IsRegimenRun(path)
        || LogReader.RunFile(path) is not null || MlflowMetricReader.IsRun(path)
        || DvcliveFolder.Metrics(path) is not null;

    public static RunFolder Scan(string path, ReadOptions options)
    {
        var runs = new List<FoundRun>();
        var skipped = new List<SkippedPath>();
        var root = System.IO.Path.GetFullPath(path);
        Visit(root, root, 0, options, runs, skipped);
        return new RunFolder(path, runs, skipped);
    }

    /// <summary>The skipped paths as a sentence for an error message ("" when none).</summary>
    public static string SkippedText(RunFolder folder) => folder.Skipped.Count == 0 ? ""
        : "; skipped: " + string.Join("; ", folder.Skipped.Select(s => $"{s.Path} ({s.Why})"));

    static void Visit(string root, string dir, int depth, ReadOptions options, List<FoundRun> runs,
        List<SkippedPath> skipped)
    {
        string name = Relative(root, dir);
        if (ExperimentDirectory.IsExperiment(dir))
        {
            var folds = LogReader.ReadExperiment(dir).Select(l => l with { Name = $"{name}/{l.Name}" }).ToList();
            runs.Add(new FoundRun(name, dir, $"Regimen experiment, {folds.Count} folds", folds));
            return;
        }
        if (LogReader.IsRegimenRun(dir))
        {
            var log = LogReader.RegimenRun(dir) with { Name = name };
            int resumes = RunEvent.ReadAll(System.IO.Path.Combine(dir, "events.jsonl")).Count(e => e.Kind == "resume");
            runs.Add(new FoundRun(name, dir, "Regimen run" + (resumes switch
            {
                0 => "",
                1 => ", resumed once",
                _ => $", resumed {resumes} times",
            }), new[] { log }));
            if (Directory.Exists(System.IO.Path.Combine(dir, "tensorboard")))
                skipped.Add(new SkippedPath($"{name}/tensorboard",
                    "the run's TensorBoard copy of its metrics.csv, which is read instead"));
            return;
        }
        if (LogReader.RunFile(dir) is { } runFile)
        {
            try
            {
                var logs = LogReader.ReadFile(runFile, options);
                runs.Add(new FoundRun(name, dir, $"{System.IO.Path.GetFileName(runFile)} ({ReaderOf(logs)})",
                    Numbered(logs, name)));
            }
            catch (RegimenException e) { skipped.Add(new SkippedPath(Relative(root, runFile), e.Message)); }
            return;
        }
        if (MlflowMetricReader.IsRun(dir) || DvcliveFolder.Metrics(dir) is not null)
        {
            bool mlflow = MlflowMetricReader.IsRun(dir);
            try
            {
                var logs = mlflow ? MlflowMetricReader.ReadRun(dir, name, options)
                    : DvcliveFolder.Read(dir, name, options);
                runs.Add(new FoundRun(name, dir, mlflow ? "MLflow run" : "dvclive", logs));
            }
            catch (RegimenException e) { skipped.Add(new SkippedPath(name, e.Message)); }
            return;
        }
        var events = EventFiles(dir);
        if (events.Count > 0)
        {
            try
            {
                var log = TensorBoardReader.Read(events) with { Name = name, Reader = "tensorboard" };
                runs.Add(new FoundRun(name, dir, events.Count == 1 ? "TensorBoard events"
                    : $"TensorBoard, {events.Count} event files read as one run", new[] { log }));
            }
            catch (RegimenException e) { skipped.Add(new SkippedPath(name, e.Message)); }
        }
        else
        {
            // TensorBoard's CSV downloads of one folder (a file per run and tag) are the series of one run.
            var exports = Directory.GetFiles(dir).Where(f => !System.IO.Path.GetFileName(f).StartsWith('.') &&
                TensorBoardCsvReader.IsExport(f)).Order(StringComparer.Ordinal).ToList();
            if (exports.Count > 0)
                try
                {
                    var logs = TensorBoardCsvReader.ReadFolder(exports, name, dir, options);
                    runs.Add(new FoundRun(name, dir, exports.Count == 1 ? "a TensorBoard CSV export"
                        : $"tensorboard-csv, {exports.Count} exports read as one run", logs));
                }
                catch (RegimenException e) { skipped.Add(new SkippedPath(name, e.Message)); }
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
            {
                var what = Relative(root, file);
                if (System.IO.Path.GetFileName(file).StartsWith('.') || exports.Contains(file)) continue;
                try
                {
                    if (LogReader.TryReadFile(file, options) is { } logs)
                        runs.Add(new FoundRun(what, file, ReaderOf(logs), Numbered(logs, what)));
                    else skipped.Add(new SkippedPath(what, new FileInfo(file).Length == 0 ? "empty"
                        : "no reader recognizes it as a training log"));
                }
                catch (RegimenException e) { skipped.Add(new SkippedPath(what, e.Message)); }
            }
        }
        foreach (var sub in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
        {
            var leaf = System.IO.Path.GetFileName(sub);
            if (leaf.StartsWith('.') || (events.Count > 0 && IsKerasSplit(leaf))) continue;
            if (depth + 1 > Depth) skipped.Add(new SkippedPath(Relative(root, sub), $"deeper than {Depth} levels"));
            else Visit(root, sub, depth + 1, options, runs, skipped);
        }
    }

    /// <summary>A folder's own event files, and those of its Keras train/ and validation/ folders.</summary>
    static List<string> EventFiles(string dir)
    {
        var files = Directory.GetFiles(dir, "*tfevents*").ToList();
        foreach (var sub in Directory.GetDirectories(dir).Where(d => IsKerasSplit(System.IO.Path.GetFileName(d))))
            files.AddRange(Directory.GetFiles(sub, "*tfevents*"));
        return files.Where(f => new FileInfo(f).Length > 0).ToList();
    }

    /// <summary>The runs of one file named after it: "name"; when it holds several, "name: their own name" where
    /// those differ, else "name #1", "name #2"...</summary>
    static List<TrainingLog> Numbered(IReadOnlyList<TrainingLog> logs, string name)
    {
        bool distinct = logs.Select(l => l.Name).Distinct().Count() == logs.Count;
        return logs.Select((l, i) => l with
        {
            Name = logs.Count == 1 ? name : distinct ? $"{name}: {l.Name}" : $"{name} #{i + 1}",
        }).ToList();
    }

    static string ReaderOf(IReadOnlyList<TrainingLog> logs) => logs[0].Reader is { Length: > 0 } r ? r : logs[0].Format;

    static bool IsKerasSplit(string folder) => folder is "train" or "validation" or "val";

    static string Relative(string root, string path)
    {
        var relative = System.IO.Path.GetRelativePath(root, path).Replace('\\', '/');
        return relative == "." ? System.IO.Path.GetFileName(root) : relative;
    }
}
