namespace Regimen.Runs;

/// <summary>
/// One epoch of any tool's log, in one shape. Accuracies are fractions (0-1); a value the tool did not
/// record is null, and the analyst then says that it could not check what needs it.
/// </summary>
public sealed record LogEpoch
{
    /// <summary>
    /// What the fields hold where the log has no value: a NaN with a payload of its own, never the NaN that a
    /// diverged run logs or that arithmetic makes. Doubles with this marker take half the memory of double? fields,
    /// which a log of 10^6 epochs feels where fresh memory is slow to touch (bench/RESULTS.md, analyst).
    /// </summary>
    public static readonly double Missing = BitConverter.Int64BitsToDouble(MissingBits);

    public static bool IsMissing(double value) => BitConverter.DoubleToInt64Bits(value) == MissingBits;

    /// <summary>The value, or null for <see cref="Missing"/>.</summary>
    public static double? Value(double stored) => IsMissing(stored) ? null : stored;

    const long MissingBits = 0x7FF8_0000_0DEA_D5E7;
    double trainLoss = Missing, trainAccuracy = Missing, valLoss = Missing, valAccuracy = Missing, valTop5 = Missing,
        learningRate = Missing, resolution = Missing, epochSeconds = Missing;

    public int Epoch { get; init; }
    public double? TrainLoss { get => Value(trainLoss); init => trainLoss = value ?? Missing; }
    public double? TrainAccuracy { get => Value(trainAccuracy); init => trainAccuracy = value ?? Missing; }
    public double? ValLoss { get => Value(valLoss); init => valLoss = value ?? Missing; }
    public double? ValAccuracy { get => Value(valAccuracy); init => valAccuracy = value ?? Missing; }
    public double? ValTop5 { get => Value(valTop5); init => valTop5 = value ?? Missing; }
    public double? LearningRate { get => Value(learningRate); init => learningRate = value ?? Missing; }
    public double? Resolution { get => Value(resolution); init => resolution = value ?? Missing; }
    /// <summary>The epoch's wall time in seconds, when the log gives it.</summary>
    public double? EpochSeconds { get => Value(epochSeconds); init => epochSeconds = value ?? Missing; }
    public string? Phase { get; init; }
}

/// <summary>Something that changed at an epoch: a schedule change, an early stop, a checkpoint.</summary>
public sealed record LogEvent(int Epoch, string Kind, string? Key, string? From, string? To, string? Message);

/// <summary>
/// A training run as the analyst sees it, whichever tool wrote it: per-epoch series, hyperparameters, events
/// and what the format could not record.
/// </summary>
public sealed record TrainingLog
{
    public required string Name { get; init; }
    public required string Source { get; init; }
    /// <summary>The tool that wrote it, as far as the reader can tell: regimen, timm, lightning, keras, fastai, yolo,
    /// huggingface, tensorboard, ffcv, mmcv, mmengine, deit, csv, text...</summary>
    public required string Format { get; init; }
    /// <summary>The reader that read it (docs/analysis.md lists them; --format forces one).</summary>
    public string Reader { get; init; } = "";
    /// <summary>Where each role came from (val_acc ← metrics/accuracy_top1), in the order of the roles.</summary>
    public List<Readers.ColumnMapping> Columns { get; init; } = new();
    /// <summary>The roles the reader looked for and the log does not have.</summary>
    public List<string> NotFound { get; init; } = new();
    /// <summary>Every other numeric series, by its name in the log (eval_macro_f1, grad_norm): (epoch, value) where it
    /// has a value; usable as --metric.</summary>
    public Dictionary<string, List<(int Epoch, double Value)>> OtherSeries { get; init; } = new();
    /// <summary>
    /// The number of classes, when the log or its hyperparameters say (num_classes, nb_classes, num_labels).
    /// </summary>
    public int? Classes { get; init; }
    public List<LogEpoch> Epochs { get; init; } = new();
    public Dictionary<string, string> Hyperparameters { get; init; } = new();
    public List<LogEvent> Events { get; init; } = new();
    /// <summary>Epochs the run was meant to train, when the log says (early stopping is judged against it).</summary>
    public int? PlannedEpochs { get; init; }
    /// <summary>
    /// Notes on the format: what it lacks, what its columns mean (timm's eval columns are the EMA model's with EMA).
    /// </summary>
    public List<string> Notes { get; init; } = new();
    /// <summary>The fold this run is, in a cross-validation experiment.</summary>
    public int? Fold { get; init; }
    /// <summary>
    /// Images each validation accuracy was measured on, when the log says (the analyst's binomial noise).
    /// </summary>
    public int? ValidationSize { get; init; }
    /// <summary>Images each epoch trained on, when the log says.</summary>
    public int? TrainSize { get; init; }
    /// <summary>A Regimen run's test split, scored once at the end (summary.json "test"); not a series, never
    /// judged.</summary>
    public TestScores? Test { get; init; }

    public bool Has(Func<LogEpoch, double?> series) => Epochs.Any(e => series(e) is not null);

    /// <summary>The series a metric name stands for: a role (val_acc, val_loss, train_loss, train_acc, val_top5, lr)
    /// or one of <see cref="OtherSeries"/>, by its name as logged (case aside); null when the log has no such
    /// series.</summary>
    public List<(int Epoch, double Value)>? MetricSeries(string metric)
    {
        if (RoleSelector(metric) is { } select) return Series(select);
        foreach (var (name, points) in OtherSeries)
            if (string.Equals(name, metric, StringComparison.OrdinalIgnoreCase)) return points;
        return null;
    }

    /// <summary>The LogEpoch field of a role name, or null when the name is not a role.</summary>
    public static Func<LogEpoch, double?>? RoleSelector(string metric) => metric switch
    {
        "val_acc" => e => e.ValAccuracy,
        "val_loss" => e => e.ValLoss,
        "train_acc" => e => e.TrainAccuracy,
        "train_loss" => e => e.TrainLoss,
        "val_top5" => e => e.ValTop5,
        "lr" => e => e.LearningRate,
        "epoch_time" => e => e.EpochSeconds,
        _ => null,
    };

    /// <summary>(epoch, value) for every epoch where the series has a finite value; sized once, as analyzing a log of
    /// 10^6 epochs builds several.</summary>
    public List<(int Epoch, double Value)> Series(Func<LogEpoch, double?> series)
    {
        var points = new List<(int Epoch, double Value)>(Epochs.Count);
        foreach (var e in Epochs)
            if (series(e) is { } v && double.IsFinite(v)) points.Add((e.Epoch, v));
        return points;
    }
}
