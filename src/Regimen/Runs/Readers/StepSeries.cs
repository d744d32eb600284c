namespace Regimen.Runs.Readers;

/// <summary>
/// Series logged one by one against a step (TensorBoard's CSV exports, MLflow's metric files, dvclive's .tsv plots,
/// Sacred's metrics.json), made one run by aligning them on the step. The step is the epoch when the names say so
/// (Keras' epoch_* tags) or when it counts 0, 1, 2... with no gap; else each logged step is judged as an epoch, and
/// the report says which.
/// </summary>
internal static class StepSeries
{
    public static List<TrainingLog> Build(IReadOnlyList<(string Name, SortedDictionary<long, double> Values)> series,
        LogDescription d, ReadOptions options)
    {
        var notes = d.Notes.ToList();
        var steps = series.SelectMany(s => s.Values.Keys).Distinct().Order().ToList();
        var rows = steps.Select(step => (IReadOnlyDictionary<string, double>)series
            .Where(s => s.Values.ContainsKey(step)).ToDictionary(s => s.Name, s => s.Values[step])).ToList();
        bool kerasEpochs = series.Any(s => s.Name.Contains("epoch_", StringComparison.OrdinalIgnoreCase));
        bool consecutive = steps.Count > 0 && steps[0] is 0 or 1 && steps[^1] - steps[0] == steps.Count - 1;
        notes.Add(kerasEpochs ? "Step is the epoch (Keras' epoch_* tags), as logged"
            : consecutive ? "Step counts 0, 1, 2... with no gap: taken as the epoch, as logged"
            : "Step is a training step, not an epoch (no epoch_* tag, steps with gaps): each logged step is " +
              "judged as one epoch");
        return LogAssembly.Build(SeriesTable.FromRows(d.Source, rows), d with
        {
            Notes = notes,
            Epochs = steps.Select(s => (double)s).ToArray(),
        }, options);
    }

    /// <summary>Adds a value at a step, the later one where a step comes twice (a resumed run); says whether it did.
    /// </summary>
    public static bool Add(SortedDictionary<long, double> values, long step, double value)
    {
        if (values.TryAdd(step, value)) return false;
        values[step] = value;
        return true;
    }
}
